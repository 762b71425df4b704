"""World file loading and validation (no server)."""

from __future__ import annotations

import copy

import pytest
import yaml

from devtools.emulator import DEFAULT_WORLD, REPO
from emulator.world import WorldError, load_world, parse_world


def _raw():
    return yaml.safe_load(DEFAULT_WORLD.read_text())


def test_default_world_has_the_contract_ids():
    world = load_world(DEFAULT_WORLD)
    tenant = world.tenants[0]
    assert (tenant.id, tenant.domain) == ("8f2c1a7e-0d4b-4c2e-9a51-3e6b7c8d9e0f", "contoso.example")
    apps = {a.name: a for a in tenant.apps}
    assert apps["lcs-automation"].client_id == "5b8e2f3a-7c41-4d9e-b2a6-1f0e3d4c5b6a"
    assert apps["lcs-automation"].public_client is True
    assert apps["lcs-confidential"].client_id == "6c9f3a4b-8d52-4eaf-c3b7-2a1f4e5d6c7b"
    assert (apps["lcs-confidential"].public_client, apps["lcs-confidential"].secret) == (False, "emu-app-secret")
    users = {u.username: u for u in tenant.users}
    assert users["dataalm@contoso.example"].password == "Emu-Passw0rd!"
    assert users["mfa@contoso.example"].mfa and users["federated@contoso.example"].federated
    project = world.projects[0]
    expected = (1234567, "United States", "https://lcsapi.lcs.dynamics.com")
    assert (project.id, project.region, project.api_host) == expected
    assert "outsider@contoso.example" not in {m.username for m in project.members}
    envs = [(e.name, e.id, e.type, e.infrastructure, e.location, e.application_release, e.platform_release)
            for e in project.environments]
    assert envs == [
        ("contoso-prod", "11111111-1111-4111-8111-111111111111", "Production", "MicrosoftManaged", "West Europe",
         "10.0.41", "Update65"),
        ("contoso-uat", "22222222-2222-4222-8222-222222222222", "Sandbox", "MicrosoftManaged", "West Europe",
         "10.0.41", "Update65"),
        ("contoso-test", "33333333-3333-4333-8333-333333333333", "Sandbox", "MicrosoftManaged", "West Europe",
         "10.0.41", "Update65"),
        ("contoso-dev", "44444444-4444-4444-8444-444444444444", "DevTestDev", "CustomerManaged", "West Europe",
         "10.0.41", "Update65"),
    ]
    assert all(e.platform_version.startswith("7.0.7367.") for e in project.environments)


def test_demo_world_is_valid():
    world = load_world(REPO / "emulator" / "worlds" / "demo.yml")
    types = sorted(e.type for _project, e in world.environments())
    assert types == ["Production", "Sandbox", "Sandbox"]
    assert world.speed > 1


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda w: w["projects"][0]["environments"][2].update(type="Tier2"),
     "projects[0].environments[2].type: must be one of Production, Sandbox, DevTestDev"),
    (lambda w: w["projects"][0]["environments"][1].update(infrastrcture="SelfService"),
     "projects[0].environments[1].infrastrcture: unknown key"),
    (lambda w: w["projects"][0]["environments"][0].pop("id"), "projects[0].environments[0].id: is required"),
    (lambda w: w["projects"][0]["environments"][3].update(id="not-a-guid"), "projects[0].environments[3].id: does not"),
    (lambda w: w["tenants"][0]["users"][1].update(mfa="yes"), "tenants[0].users[1].mfa: must be true or false"),
    (lambda w: w["projects"][0]["members"][0].update(user="nobody@contoso.example"),
     "projects[0].members[0].user: is not a user of tenant contoso.example"),
    (lambda w: w["projects"][0].update(region="Atlantis"), "projects[0].region: must be one of"),
    (lambda w: w["projects"][0]["environments"][1].update(id="11111111-1111-4111-8111-111111111111"),
     "projects: duplicate environment id"),
    (lambda w: w["projects"][0]["environments"][0].update(durations={"refresh": -5}),
     "projects[0].environments[0].durations.refresh: must be an integer >= 0"),
    (lambda w: w.update(clock={"start": "yesterday"}), "clock.start: must be an ISO 8601 date-time"),
    (lambda w: w.pop("tenants"), "tenants: is required"),
])
def test_invalid_world_names_the_offending_key(mutate, message):
    raw = copy.deepcopy(_raw())
    mutate(raw)
    with pytest.raises(WorldError) as excinfo:
        parse_world(raw)
    assert str(excinfo.value).startswith(message)


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("tenants: [\n")
    with pytest.raises(WorldError, match="not valid YAML"):
        load_world(path)
