# -*- coding: utf-8 -*-
# The work is done by the action plugin of the same name (plugins/action/
# config.py): it renders on the controller and writes through
# ansible.builtin.copy. This file holds the documentation.
from __future__ import annotations

DOCUMENTATION = r"""
module: config
short_description: Render a supc.yaml spec for this host, check it, and write it
description:
  - Renders the spec on the controller with C(supc render) for C(inventory_hostname),
    with the play's variables (inventory, group_vars, host_vars, vault, facts, extra vars),
    and checks the result as C(supc check) does; a finding at or above I(fail_on) fails the task
    and nothing is written.
  - Writes the rendered INI on the target atomically with M(ansible.builtin.copy)
    (check mode and diff mode are supported).
  - Returns the process groups C(supervisorctl update) would add, change or remove,
    computed by C(supc diff) against the file on the target.
options:
  spec:
    description: The supc.yaml spec (searched like M(ansible.builtin.copy)'s I(src)).
    type: path
    required: true
  dest:
    description: Where the INI is written on the target.
    type: path
    required: true
  supc:
    description: The supc executable on the controller.
    type: str
    default: supc
  portable:
    description: Skip checks that ask the machine supc runs on (the controller is not the target).
    type: bool
    default: true
  snippet:
    description: The spec is a conf.d snippet (no C(supervisord) section).
    type: bool
    default: false
  select:
    description: Only these lint rules (codes or names).
    type: list
    elements: str
  ignore:
    description: Skip these lint rules (codes or names).
    type: list
    elements: str
  fail_on:
    description: Lowest finding severity that fails the task.
    type: str
    choices: [error, warning, info]
    default: error
  vars:
    description: Variables over the play's ones (like extra vars for the spec).
    type: dict
  hostvars:
    description:
      - Pass C(hostvars) (every inventory host's variables, each templated for its host) to the spec,
        so C(hostvars[other].name) renders as in a play. Costs one templating of every host's
        variables per host; turn it off for large inventories whose spec does not read C(hostvars).
    type: bool
    default: true
  mode:
    description: Passed to M(ansible.builtin.copy).
    type: raw
  owner:
    description: Passed to M(ansible.builtin.copy).
    type: str
  group:
    description: Passed to M(ansible.builtin.copy).
    type: str
  backup:
    description: Passed to M(ansible.builtin.copy).
    type: bool
    default: false
notes:
  - The variables (vault-decrypted, other hosts' through C(hostvars)) reach C(supc) in a file on the
    controller, mode 0600 in a private directory, removed when the task ends; only the rendered file
    goes to the target and the result holds no variable.
  - Under C(--diff) the rendered file's changes are shown, as for M(ansible.builtin.template);
    set C(diff: false) or C(no_log: true) on a task whose spec renders secrets.
"""

RETURN = r"""
groups_added:
  description: Process groups C(supervisorctl update) would add.
  type: list
  returned: always
groups_changed:
  description: Process groups C(supervisorctl update) would restart with the new config.
  type: list
  returned: always
groups_removed:
  description: Process groups C(supervisorctl update) would stop and remove.
  type: list
  returned: always
update_groups:
  description: All of the above, for C(supervisorctl update GROUP...).
  type: list
  returned: always
findings:
  description: C(supc render)'s findings (warnings and infos when the task succeeds).
  type: list
  returned: always
"""
