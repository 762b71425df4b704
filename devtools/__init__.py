"""Developer tooling shared by the tests, molecule, the demo and the benchmarks: a private PostgreSQL
server (``pgserver``), the emulator as a process and its admin client (``emulator``), both started in
the background (``services``), the collection tree (``collection``) and ``ansible-playbook`` runs
(``ansible_runner``). Not part of the built collection (galaxy.yml ``build_ignore``)."""
