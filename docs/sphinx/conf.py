# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sphinx configuration of the collection site that ``make docs`` builds (scripts/docs.sh).

Started from ``antsibull-docs sphinx-init`` and changed in two ways: the guides in docs/*.md are
rendered with MyST, and references into the Ansible documentation resolve from the table below
instead of intersphinx inventories, so the build needs no network and still fails on any other
unresolved reference (``nitpicky`` with ``-W``).
"""

project = "d365fo.dataalm"
copyright = "d365fo.dataalm contributors"  # pylint: disable=redefined-builtin
title = "d365fo.dataalm collection documentation"
html_short_title = "d365fo.dataalm"

extensions = ["sphinx_antsibull_ext", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_heading_anchors = 3

pygments_style = "ansible"
# Unlabelled code blocks (fences without a language in the guides) stay plain text; antsibull-docs
# labels every block it writes (yaml+jinja, ini).
highlight_language = "none"
html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
default_role = "any"
nitpicky = True

ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
# Labels of the Ansible documentation that antsibull-docs' generated pages refer to.
ANSIBLE_LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html", "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html", "Ansible Configuration Settings"),
    "playbooks_module_defaults": ("playbook_guide/playbooks_module_defaults.html", "Module defaults"),
    "module_plugins": ("plugins/module.html", "Modules"),
    "action_plugins": ("plugins/action.html", "Action plugins"),
    "callback_plugins": ("plugins/callback.html", "Callback plugins"),
    "filter_plugins": ("plugins/filter.html", "Filter plugins"),
    "lookup_plugins": ("plugins/lookup.html", "Lookup plugins"),
    "inventory_plugins": ("plugins/inventory.html", "Inventory plugins"),
    "connection_plugins": ("plugins/connection.html", "Connection plugins"),
    "test_plugins": ("plugins/test.html", "Test plugins"),
    "vars_plugins": ("plugins/vars.html", "Vars plugins"),
}


def resolve_ansible_label(app, env, node, contnode):
    """Turn a reference to a known Ansible documentation label into a link to docs.ansible.com."""
    from docutils import nodes  # pylint: disable=import-outside-toplevel

    target = node.get("reftarget")
    if node.get("reftype") not in ("ref", "any") or target not in ANSIBLE_LABELS:
        return None
    path, title = ANSIBLE_LABELS[target]
    link = nodes.reference("", "", internal=False, refuri=ANSIBLE_DOCS + path)
    link.append(contnode if node.get("refexplicit") else nodes.inline(title, title))
    return link


def setup(app):
    app.connect("missing-reference", resolve_ansible_label)
