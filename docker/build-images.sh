#!/usr/bin/env bash
# Builds Herald's container images from a fresh clone (docs/deploy.md, "Images"):
#
#   docker/build-images.sh                 # jars if missing, the local bases, every image
#   docker/build-images.sh --rebuild-jars  # run the Maven package first even if the jars exist
#   docker/build-images.sh --skip-jars     # never run Maven (the jars must exist)
#   docker/build-images.sh --public-base   # FROM eclipse-temurin:17-jre (needs a registry) instead
#                                          # of the local herald/jre base
#
# Images: herald/{gateway,edge,publish,auth,rate-limit,metrics,standalone}:<project version> (or
# HERALD_IMAGE_TAG: several checkouts building into one engine keep apart that way), on
# the local base herald/jre:<JDK feature version> (a jlink'd JRE FROM scratch), and herald/redis:7
# (Debian's redis-server FROM scratch, also tagged docker.io/library/redis:7.0.15). No registry is
# needed: everything comes from this machine (the JDK, /usr/bin/redis-server, busybox-static).
#
# Talks to the engine in DOCKER_HOST (docker CLI, or podman when there is no docker CLI); with no
# engine answering it starts podman's API through docker/engine.sh. Idempotent: what did not change
# comes from the layer cache (the staged base file systems are kept in docker/.build).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

jars=auto
base=local
for arg in "$@"; do
  case "$arg" in
    --rebuild-jars) jars=always ;;
    --skip-jars) jars=never ;;
    --public-base) base=public ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "build-images.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

started=$(date +%s)
build_dir="$root/docker/.build"
mkdir -p "$build_dir"
version=$(sed -n '/<artifactId>herald-parent<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;q}' pom.xml)
[ -n "$version" ] || { echo "build-images.sh: no project version in pom.xml" >&2; exit 1; }
tag="${HERALD_IMAGE_TAG:-$version}"
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# The commit's time, not now: the same commit builds the same labels, so a second run is all cache.
created=$(git log -1 --format=%cI 2>/dev/null || echo unknown)

# name  module  port  JVM options (the defaults in the image; JAVA_TOOL_OPTIONS replaces them)
common_jvm="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"
# README, "Recommended JVM settings": SerialGC with a 32 MB young generation for connection memory.
edge_jvm="-XX:+UseSerialGC -Xmn32m -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
services=(
  "gateway|gateway|6000|$common_jvm|the one entry point (WebSocket, HTTP API, admin API, usage API, dashboard)"
  "edge|edge-service|6001|$edge_jvm|Pusher WebSocket connections"
  "publish|publish-service|6002|$common_jvm|the Pusher HTTP API and the webhook dispatcher"
  "auth|auth-service|6003|$common_jvm|apps, tenants, the admin API and the internal signature API"
  "rate-limit|rate-limit-service|6004|$common_jvm|quota leases for the nodes and the gateway"
  "metrics|metrics-service|6005|$common_jvm|usage series, the usage API and the tenant dashboard"
  "standalone|standalone|6001|$edge_jvm|every role in one process, with a demo app"
)

# --- the engine ----------------------------------------------------------------------------------
if command -v docker >/dev/null 2>&1; then engine=docker; else engine=podman; fi
if ! $engine info >/dev/null 2>&1; then
  if [ -z "${DOCKER_HOST:-}" ]; then
    eval "$("$root/docker/engine.sh")"
  fi
  $engine info >/dev/null 2>&1 || { echo "build-images.sh: no container engine answers (DOCKER_HOST=${DOCKER_HOST:-})" >&2; exit 1; }
fi

# --- the jars --------------------------------------------------------------------------------------
jar_of() { echo "$1/target/herald-$1-$version-exec.jar"; }
missing=0
for entry in "${services[@]}"; do
  IFS='|' read -r _ module _ <<<"$entry"
  [ -f "$(jar_of "$module")" ] || missing=1
done
if [ "$jars" = always ] || { [ "$jars" = auto ] && [ "$missing" = 1 ]; }; then
  echo "build-images.sh: building the jars (./mvnw -q -B -DskipTests package)"
  t=$(date +%s)
  ./mvnw -q -B -DskipTests package
  echo "build-images.sh: jars built in $(( $(date +%s) - t )) s"
elif [ "$missing" = 1 ]; then
  echo "build-images.sh: a service's jar is missing and --skip-jars was given" >&2; exit 1
fi

# build <tag> <input> <context> [docker build options...]: skipped when the image exists and was
# built from the same input (a hash of everything that goes into it, kept as a label), so a run
# with nothing changed sends no build context at all; else the engine's layer cache does the rest.
build() {
  local tag="$1" input="$2" context="$3"; shift 3
  local hash
  hash=$(printf '%s' "$input" | sha256sum | cut -c1-32)
  if [ "$($engine image inspect -f '{{index .Config.Labels "io.herald.image.input"}}' "$tag" 2>/dev/null)" = "$hash" ]; then
    return
  fi
  $engine build -q -t "$tag" --label "io.herald.image.input=$hash" "$@" "$context" \
    2> >(grep -v -e "legacy builder is deprecated" -e "Install the buildx" -e "docs.docker.com/go/buildx" -e "^ *$" >&2) >/dev/null
}
image_id() { $engine image inspect -f '{{.Id}}' "$1"; }

# Copies each file and the shared libraries ldd lists for it (and the loader) into rootfs, at the
# same paths. Fails on a library ldd cannot find.
copy_with_libraries() { # copy_with_libraries <rootfs> <file>...
  local rootfs="$1"; shift
  local libs
  libs=$(for f in "$@"; do ldd "$f" 2>/dev/null || true; done \
    | awk '/=> not found/ { print "MISSING " $1; next } /=> \// { print $3 } /^[ \t]*\// { print $1 }' | sort -u)
  if grep -q '^MISSING' <<<"$libs"; then
    # Libraries of the JRE itself (libjvm.so, found at run time through $ORIGIN) are not missing.
    local real
    real=$(grep '^MISSING' <<<"$libs" | awk '{print $2}' | while read -r name; do
      [ -n "$(find "$rootfs" -name "$name" -print -quit)" ] || echo "$name"; done)
    [ -z "$real" ] || { echo "build-images.sh: ldd cannot find $real" >&2; exit 1; }
    libs=$(grep -v '^MISSING' <<<"$libs")
  fi
  for lib in $libs; do
    case "$lib" in "$rootfs"/*) continue ;; esac
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}

# --- base: herald/jre ----------------------------------------------------------------------------
jdk="${HERALD_JDK:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")}}"
feature=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
# What jdeps --print-module-deps lists over every service's jars (java.base … jdk.unsupported),
# plus jdk.crypto.ec, which nothing names but TLS needs for EC keys and ECDHE (rediss://, webhooks
# over https). Each service was started and exercised on this JRE (docs/deploy.md).
modules="java.base,java.compiler,java.desktop,java.instrument,java.naming,java.net.http,java.prefs,java.scripting,java.sql,jdk.jfr,jdk.management,jdk.net,jdk.unsupported,jdk.crypto.ec"
# java.desktop is there for java.beans (Spring's bean introspection); its native AWT, sound and font
# libraries are never loaded by a headless server and would pull X11 and friends in.
excluded="**/libawt*.so,**/libjawt.so,**/libmlib_image.so,**/libfontmanager.so,**/libjavajpeg.so,**/liblcms.so,**/libjsound.so,**/libsplashscreen.so"
busybox=/bin/busybox
if [ "$base" = local ]; then
  [ -x "$busybox" ] || { echo "build-images.sh: $busybox missing: apt-get install busybox-static" >&2; exit 1; }
  jre_tag="herald/jre:$feature"
  stamp="$("$jdk/bin/java" -version 2>&1 | tr '\n' ' ')|$modules|$excluded|$(sha256sum "$busybox" | cut -c1-16)|v2"
  jre_dir="$build_dir/jre"
  if [ "$(cat "$jre_dir/stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "build-images.sh: staging the JRE ($jdk, $modules)"
    rm -rf "$jre_dir"
    mkdir -p "$jre_dir/rootfs/opt/java" "$jre_dir/rootfs/bin" "$jre_dir/rootfs/etc" "$jre_dir/rootfs/tmp"
    "$jdk/bin/jlink" --add-modules "$modules" --output "$jre_dir/rootfs/opt/java/openjdk" \
      --strip-debug --no-header-files --no-man-pages --exclude-files="$excluded"
    copy_with_libraries "$jre_dir/rootfs" "$jre_dir"/rootfs/opt/java/openjdk/bin/* \
      $(find "$jre_dir/rootfs/opt/java/openjdk/lib" -name '*.so')
    cp "$busybox" "$jre_dir/rootfs/bin/busybox"
    for applet in $("$busybox" --list); do
      [ "$applet" = busybox ] || ln -s busybox "$jre_dir/rootfs/bin/$applet"
    done
    chmod 1777 "$jre_dir/rootfs/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nherald:x:10001:10001:herald:/tmp:/bin/sh\n' > "$jre_dir/rootfs/etc/passwd"
    printf 'root:x:0:\nherald:x:10001:\n' > "$jre_dir/rootfs/etc/group"
    cp "$root/docker/jre/Dockerfile" "$jre_dir/Dockerfile"
    echo "$stamp" > "$jre_dir/stamp"
  fi
  build "$jre_tag" "$stamp|$(sha256sum "$jre_dir/Dockerfile")" "$jre_dir"
  base_args=(--build-arg "BASE=$jre_tag")
  base_id=$(image_id "$jre_tag")

  # --- herald/redis --------------------------------------------------------------------------------
  redis_dir="$build_dir/redis"
  redis_stamp="$(sha256sum "$(readlink -f /usr/bin/redis-server)" /usr/bin/redis-cli | cut -c1-16 | tr '\n' ' ')|v2"
  if [ "$(cat "$redis_dir/stamp" 2>/dev/null)" != "$redis_stamp" ]; then
    [ -x /usr/bin/redis-server ] || { echo "build-images.sh: /usr/bin/redis-server missing: apt-get install redis-server" >&2; exit 1; }
    rm -rf "$redis_dir"
    mkdir -p "$redis_dir/rootfs/usr/bin" "$redis_dir/rootfs/tmp"
    # The binary under the name redis-server: the name is what selects server mode.
    cp -L /usr/bin/redis-server "$redis_dir/rootfs/usr/bin/redis-server"
    cp -L /usr/bin/redis-cli "$redis_dir/rootfs/usr/bin/redis-cli"
    copy_with_libraries "$redis_dir/rootfs" /usr/bin/redis-server /usr/bin/redis-cli
    chmod 1777 "$redis_dir/rootfs/tmp"
    cp "$root/docker/redis/Dockerfile" "$redis_dir/Dockerfile"
    echo "$redis_stamp" > "$redis_dir/stamp"
  fi
  build herald/redis:7 "$redis_stamp|$(sha256sum "$redis_dir/Dockerfile")" "$redis_dir"
  $engine tag herald/redis:7 docker.io/library/redis:7.0.15
  built=("herald/jre:$feature" "herald/redis:7" "docker.io/library/redis:7.0.15")
else
  base_args=()
  base_id=eclipse-temurin:17-jre
  built=()
fi

# --- the services --------------------------------------------------------------------------------
for entry in "${services[@]}"; do
  IFS='|' read -r name module port jvm description <<<"$entry"
  jar=$(jar_of "$module")
  context="$build_dir/context/$name"
  mkdir -p "$context"
  # Only the jar in the build context (the legacy builder sends the whole context).
  find "$context" -mindepth 1 -maxdepth 1 ! -name "$(basename "$jar")" -exec rm -rf {} +
  ln -f "$jar" "$context/$(basename "$jar")" 2>/dev/null || cp -p "$jar" "$context/$(basename "$jar")"
  args=("${base_args[@]}" --build-arg "SERVICE=$name" --build-arg "PORT=$port" --build-arg "JAR=$(basename "$jar")"
    --build-arg "JVM_OPTIONS=$jvm" --build-arg "DESCRIPTION=Herald $name: $description"
    --build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "CREATED=$created")
  input="$(sha256sum "$jar" "$root/docker/Dockerfile")|$base_id|${args[*]}"
  build "herald/$name:$tag" "$input" "$context" -f "$root/docker/Dockerfile" "${args[@]}"
  built+=("herald/$name:$tag")
done

echo "build-images.sh: built in $(( $(date +%s) - started )) s:"
for image in "${built[@]}"; do
  size=$($engine image inspect -f '{{.Size}}' "$image")
  printf '  %-38s %6.1f MB\n' "$image" "$(awk "BEGIN { print $size / 1000000 }")"
done
