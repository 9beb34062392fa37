"""The load balancer's configuration and command line."""

import os
import pwd
import shutil
from pathlib import Path
from typing import List, Sequence

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATE = "nginx.conf.j2"
DEBIAN_NGINX = "/usr/sbin/nginx"


class NginxMissing(RuntimeError):
    """nginx is not installed (`make nginx` installs Debian's)."""


def executable() -> str:
    found = shutil.which("nginx") or (DEBIAN_NGINX if os.access(DEBIAN_NGINX, os.X_OK) else None)
    if not found:
        raise NginxMissing("nginx is not installed: `make run-prod` installs it (Debian's nginx-light).")
    return found


def write_config(run_dir: Path, host: str, port: int, actions_host: str, actions_port: int,
                 engine_ports: Sequence[int], action_ports: Sequence[int], max_body_bytes: int,
                 read_timeout_s: int) -> Path:
    """Writes nginx.conf into `run_dir` (with nginx's temporary folders) and returns its path."""
    run_dir.mkdir(parents=True, exist_ok=True)
    template = Environment(loader=FileSystemLoader(Path(__file__).parent), undefined=StrictUndefined,
                           keep_trailing_newline=True).get_template(TEMPLATE)
    # As root, nginx's workers would switch to an account that cannot write run_dir.
    user = pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() == 0 else ""
    config = run_dir / "nginx.conf"
    config.write_text(template.render(
        user=user, run_dir=run_dir.resolve(), host=host, port=port, actions_host=actions_host,
        actions_port=actions_port, engine_ports=list(engine_ports), action_ports=list(action_ports),
        max_body_bytes=max_body_bytes, read_timeout_s=read_timeout_s,
    ), encoding="utf-8")
    return config


def command(config: Path) -> List[str]:
    """nginx in the foreground, as a child of the launcher."""
    return [executable(), "-p", str(config.parent.resolve()), "-c", str(config.resolve()), "-g", "daemon off;"]
