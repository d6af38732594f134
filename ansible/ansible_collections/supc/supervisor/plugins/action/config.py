# -*- coding: utf-8 -*-
"""supc.supervisor.config: render a supc.yaml spec for this host on the
controller with the play's variables, check it, write it on the target
through ansible.builtin.copy (atomic, check mode, diff), and report which
process groups `supervisorctl update` would touch (from `supc diff`).

Rendering happens on the controller because that is where the play's
variables are complete: group_vars, host_vars, vault-decrypted values,
facts and extra vars, all templated by Ansible itself. supc receives them
as one vars file and renders the spec exactly as `supc render --host`
does, so the result is byte-identical to `supc render --all-hosts` for
the same inventory. `hostvars` goes with them (every inventory host's
variables, each templated in its own host's context, as Ansible's lazy
`hostvars` gives them), unless `hostvars: false`.

Secrets: the vars file holds decrypted vault values (of other hosts too,
through `hostvars`). It is written on the controller only, readable by
its owner only (0600 in a 0700 directory), and removed when the task
ends; nothing but the rendered file goes to the target, and the task's
result carries no variable. What the spec puts into the file is in the
file, and in the diff under `--diff` as for `template`/`copy`: set
`diff: false` (or `no_log: true`) on a task whose spec renders secrets.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

# Variables that describe the run, not the host: never passed to the spec.
_SKIP = frozenset((
    "hostvars", "vars", "omit", "environment", "play_hosts", "playbook_dir",
    "ansible_play_batch", "ansible_play_hosts", "ansible_play_hosts_all",
    "ansible_play_name", "ansible_play_role_names", "ansible_role_names",
    "ansible_dependent_role_names", "role_names", "ansible_config_file",
    "ansible_playbook_python", "ansible_search_path", "ansible_inventory_sources",
    "ansible_version", "ansible_check_mode", "ansible_diff_mode", "ansible_forks",
    "ansible_verbosity", "ansible_run_tags", "ansible_skip_tags", "ansible_limit",
    "ansible_collection_name", "ansible_parent_role_names", "ansible_parent_role_paths",
    "ansible_loop_var", "ansible_index_var",
))

_COPY_ARGS = ("mode", "owner", "group", "backup")
_TIMEOUT = 300


def _plain(value):
    """A templated value as plain JSON data (tagged str/dict subclasses too)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


class ActionModule(ActionBase):
    TRANSFERS_FILES = True
    _VALID_ARGS = frozenset((
        "spec", "dest", "supc", "portable", "snippet", "select", "ignore",
        "fail_on", "vars", "hostvars", "mode", "owner", "group", "backup",
    ))

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = self._task.args
        if not args.get("spec") or not args.get("dest"):
            raise AnsibleActionFail("supc.supervisor.config needs spec and dest")
        spec = self._find_needle("files", args["spec"])
        workdir = tempfile.mkdtemp(dir=C.DEFAULT_LOCAL_TMP)
        try:
            rendered, findings = self._render(spec, workdir, task_vars)
            old = self._old_config(args["dest"], workdir, task_vars)
            groups = self._diff(old, rendered)
            result.update(self._copy(rendered, task_vars))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        result["findings"] = findings
        result["groups_added"] = groups["added"]
        result["groups_changed"] = groups["changed"]
        result["groups_removed"] = groups["removed"]
        result["update_groups"] = groups["added"] + groups["changed"] + groups["removed"]
        return result

    def _supc(self, argv):
        exe = self._task.args.get("supc") or "supc"
        try:
            return subprocess.run(
                [exe] + argv, capture_output=True, text=True, timeout=_TIMEOUT, check=False
            )
        except FileNotFoundError:
            raise AnsibleActionFail(f"supc is not on the controller's PATH ({exe}); set supc: /path/to/supc")
        except subprocess.TimeoutExpired:
            raise AnsibleActionFail(f"supc did not finish within {_TIMEOUT} s")

    def _common_flags(self):
        args = self._task.args
        flags = []
        if args.get("portable", True):
            flags.append("--portable")
        if args.get("snippet", False):
            flags.append("--snippet")
        return flags

    def _variables(self, task_vars):
        """The host's variables, templated by Ansible (vault decrypted)."""
        templar = self._templar.copy_with_new_env(available_variables=task_vars)
        out = {}
        for name in task_vars:
            if name in _SKIP:
                continue
            try:
                out[name] = _plain(templar.template(task_vars[name]))
            except Exception:  # an unused variable that cannot be templated
                continue
        if boolean(self._task.args.get("hostvars", True), strict=False):
            out["hostvars"] = self._hostvars(task_vars)
        extra = self._task.args.get("vars") or {}
        out.update(_plain(templar.template(extra)))
        return out

    @staticmethod
    def _hostvars(task_vars):
        """Every inventory host's variables, each templated in its own
        host's context (what `hostvars[host][name]` gives in a play);
        one that cannot be templated is left out, as an unused one is
        for this host."""
        out = {}
        hostvars = task_vars.get("hostvars") or {}
        for host in hostvars:
            view = hostvars[host]
            entry = {}
            for name in view:
                # `groups` is the same for every host: passed once.
                if name in _SKIP or name == "groups":
                    continue
                try:
                    entry[name] = _plain(view[name])
                except Exception:  # pylint: disable=broad-except
                    continue
            out[str(host)] = entry
        return out

    def _render(self, spec, workdir, task_vars):
        args = self._task.args
        vars_path = os.path.join(workdir, "vars.json")
        # Decrypted vault values: readable by the controller's user only.
        fd = os.open(vars_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self._variables(task_vars), f)
        out = os.path.join(workdir, "rendered.conf")
        argv = ["render", spec, "--host", task_vars["inventory_hostname"],
                "--vars-file", vars_path, "-o", out, "--format", "json",
                "--fail-on", args.get("fail_on") or "error"] + self._common_flags()
        for flag in ("select", "ignore"):
            for code in args.get(flag) or []:
                argv += [f"--{flag}", code]
        proc = self._supc(argv)
        try:
            report = json.loads(proc.stdout) if proc.stdout.strip() else {"files": []}
        except ValueError:
            report = {"files": []}
        findings = [f for r in report.get("files", []) for f in r.get("findings", [])]
        if proc.returncode != 0:
            lines = [f"{f['code']} {f['message']}" + (
                f" ({f['location']['file']}:{f['location']['line']}:{f['location']['column']})"
                if f.get("location") else "") for f in findings]
            detail = "\n".join(lines) or proc.stderr.strip()
            raise AnsibleActionFail(f"supc render failed, nothing written:\n{detail}",
                                    result={"findings": findings})
        return out, findings

    def _old_config(self, dest, workdir, task_vars):
        """The config on the target now (an empty one if there is none)."""
        old = os.path.join(workdir, "old.conf")
        res = self._execute_module(module_name="ansible.legacy.slurp",
                                   module_args={"src": dest}, task_vars=task_vars)
        if res.get("failed"):
            text = "" if self._task.args.get("snippet") else "[supervisord]\n"
        else:
            import base64
            text = base64.b64decode(res["content"]).decode("utf-8", "replace")
        with open(old, "w", encoding="utf-8") as f:
            f.write(text)
        return old

    def _diff(self, old, new):
        proc = self._supc(["diff", old, new, "--format", "json"] + self._common_flags())
        groups = {"added": [], "changed": [], "removed": []}
        try:
            report = json.loads(proc.stdout)
        except ValueError:
            raise AnsibleActionFail(f"supc diff failed: {proc.stderr.strip()}")
        for g in report.get("groups", []):
            if g.get("status") in groups:
                groups[g["status"]].append(g["name"])
        return groups

    def _copy(self, rendered, task_vars):
        new_task = self._task.copy()
        new_task.args = {"src": rendered, "dest": self._task.args["dest"]}
        for key in _COPY_ARGS:
            if key in self._task.args:
                new_task.args[key] = self._task.args[key]
        copy_action = self._shared_loader_obj.action_loader.get(
            "ansible.legacy.copy",
            task=new_task,
            connection=self._connection,
            play_context=self._play_context,
            loader=self._loader,
            templar=self._templar,
            shared_loader_obj=self._shared_loader_obj,
        )
        return copy_action.run(task_vars=task_vars)
