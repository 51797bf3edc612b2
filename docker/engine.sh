#!/usr/bin/env bash
# Starts a Docker-compatible container engine on a machine without Docker: podman's API service.
# Installs podman, runc and docker-compose from Debian when missing (needs root and apt), writes
# the engine configuration these machines need (see docs/deploy.md, "Containers without Docker"),
# starts `podman system service` on a Unix socket unless one already answers, and prints the
# DOCKER_HOST to use:
#
#   eval "$(docker/engine.sh)"      # exports DOCKER_HOST and CONTAINERS_CONF
#
# Idempotent: a second run finds the socket answering and only prints the exports.
set -euo pipefail

run_dir="${HERALD_ENGINE_DIR:-/tmp/herald-engine}"
socket="$run_dir/podman.sock"
conf="$run_dir/containers.conf"
mkdir -p "$run_dir"

missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  echo "engine.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # podman's recommended packages bring its networking (netavark, aardvark-dns); docker-compose's
  # would bring a Docker engine, which cannot run here.
  for package in "${missing[@]}"; do
    if [ "$package" = docker-compose ]; then
      apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
    else
      apt-get install -y -qq "$package" >/dev/null
    fi
  done
fi

# The host is cgroup v1/hybrid and the open-files limit cannot be raised inside a container:
# no default ulimits, runc (crun refuses hybrid cgroups), cgroupfs (no systemd).
cat > "$conf" <<'CONF'
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF="$conf"

ping() { curl -fsS --max-time 2 --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; }

if ! ping; then
  rm -f "$socket"
  nohup podman system service --time=0 "unix://$socket" >"$run_dir/service.log" 2>&1 &
  for _ in $(seq 1 100); do
    ping && break
    sleep 0.1
  done
  ping || { echo "engine.sh: podman's API did not answer on $socket; see $run_dir/service.log" >&2; exit 1; }
fi

echo "export CONTAINERS_CONF=$conf"
echo "export DOCKER_HOST=unix://$socket"
