#!/usr/bin/env bash
# Builds the real images and root filesystems of the real-image tests
# (crates/vigil/tests/real_images.rs) and the image benchmark, without a
# container daemon:
#
#   debian-minbase-<hash>/rootfs   `debootstrap --variant=minbase bookworm`
#   debian-image-<hash>/oci        that root filesystem as the base layer and
#                                  a small application layer (app/) on top,
#                                  an OCI image layout packed with umoci
#                                  (tag 1.0)
#   debian-image-<hash>/app.tar    the same image as a `docker save` archive
#                                  (skopeo copy ... docker-archive:)
#   almalinux-rpm-<hash>/rootfs    an AlmaLinux 9 root filesystem whose
#                                  rpmdb.sqlite rpm itself wrote, from the
#                                  packages of rpm/*.spec built with rpmbuild
#
# Everything goes to ${VIGIL_FIXTURE_CACHE:-$HOME/.cache/vigil/fixtures},
# each output in a directory named after the hash of its recipe (this script
# and the files it packs), and is reused when present. The Debian mirror is
# the one the machine's apt sources name (VIGIL_DEBIAN_MIRROR overrides it).
#
# Needs root and the Debian packages debootstrap, umoci, skopeo and rpm.
# Progress goes to stderr; stdout gets one NAME=PATH line per output.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${VIGIL_FIXTURE_CACHE:-$HOME/.cache/vigil/fixtures}
SUITE=bookworm

say() { printf 'fixtures: %s\n' "$*" >&2; }
die() { printf 'fixtures: error: %s\n' "$*" >&2; exit 1; }

need() {
  local missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] ||
    die "missing tools: ${missing[*]} (Debian packages: debootstrap umoci skopeo rpm)"
}

hash_of() { # files and strings → 16 hex digits
  { for x in "$@"; do if [ -f "$x" ]; then printf '%s\n' "${x#"$HERE"/}"; cat "$x"; else printf '%s\n' "$x"; fi; done; } |
    sha256sum | cut -c1-16
}

# The first Debian mirror the apt sources list for the suite itself (not
# -security or -updates): one-line .list files and deb822 .sources files.
debian_mirror() {
  if [ -n "${VIGIL_DEBIAN_MIRROR:-}" ]; then echo "$VIGIL_DEBIAN_MIRROR"; return; fi
  local files=() f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || die "no apt sources found in /etc/apt; set VIGIL_DEBIAN_MIRROR"
  local mirror
  mirror=$(awk -v suite="$SUITE" '
    FNR == 1 { if (prev ~ /\.sources$/) stanza_end(); prev = FILENAME; types = ""; uris = ""; suites = ""; enabled = "yes" }
    function stanza_end() {
      if (types ~ /(^| )deb( |$)/ && enabled != "no") {
        n = split(suites, s, " ")
        for (i = 1; i <= n; i++) if (s[i] == suite) { split(uris, u, " "); print u[1]; found = 1; exit }
      }
      types = ""; uris = ""; suites = ""; enabled = "yes"
    }
    FILENAME ~ /\.sources$/ {
      if ($0 ~ /^[ \t]*$/) { stanza_end(); next }
      if ($0 ~ /^#/) next
      key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
      if (key == "types") types = val
      else if (key == "uris") uris = val
      else if (key == "suites") suites = val
      else if (key == "enabled") enabled = tolower(val)
      next
    }
    /^[ \t]*deb[ \t]/ {
      line = $0; sub(/^[ \t]*deb[ \t]+/, "", line)
      if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
      split(line, w, /[ \t]+/)
      if (w[2] == suite) { print w[1]; found = 1; exit }
    }
    END { if (!found && prev ~ /\.sources$/) stanza_end() }
  ' "${files[@]}")
  [ -n "$mirror" ] || die "no apt source for $SUITE in /etc/apt; set VIGIL_DEBIAN_MIRROR"
  echo "$mirror"
}

# Builds $2 with the function $1 into a temporary directory, then moves it
# into place: a half-built output is never reused.
build_once() {
  local fn=$1 out=$2
  if [ -d "$out" ]; then say "reusing $out"; return; fi
  local tmp="$out.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  say "building $out"
  local t0=$SECONDS
  "$fn" "$tmp"
  mv "$tmp" "$out"
  say "built $out in $((SECONDS - t0)) s"
  # Outputs of earlier recipes of the same name are stale.
  local old
  for old in "${out%-*}"-*; do
    [ "$old" = "$out" ] || { say "removing stale $old"; rm -rf "$old"; }
  done
}

# --- Debian -----------------------------------------------------------------

build_debian_minbase() {
  local out=$1 mirror
  [ "$(id -u)" = 0 ] || die "debootstrap needs root"
  mirror=$(debian_mirror)
  say "debootstrap --variant=minbase $SUITE from $mirror"
  debootstrap --variant=minbase "$SUITE" "$out/rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 ||
    { tail -20 "$out/debootstrap.log" >&2; die "debootstrap failed (log: $out/debootstrap.log)"; }
  # What an image build leaves out: device nodes, downloaded packages,
  # package lists, logs.
  rm -rf "$out/rootfs"/dev/* "$out/rootfs"/proc/* "$out/rootfs"/sys/* \
    "$out/rootfs"/var/cache/apt/archives/*.deb "$out/rootfs"/var/lib/apt/lists/* \
    "$out/rootfs"/var/log/* "$out/rootfs"/tmp/*
}

build_debian_image() {
  local out=$1 base=$2
  local oci="$out/oci" tag=1.0 bundle="$out/bundle"
  # `umoci insert` leaves a layer's tar stream unterminated (no padding
  # after the last file, no end-of-archive blocks): layers are made with
  # unpack / repack instead, each repack adding the changes as a layer.
  umoci init --layout "$oci"
  umoci new --image "$oci:$tag"
  umoci unpack --image "$oci:$tag" "$bundle" >/dev/null
  cp -a "$base/rootfs/." "$bundle/rootfs/"
  umoci repack --image "$oci:$tag" --refresh-bundle \
    --history.created_by "debootstrap --variant=minbase $SUITE" "$bundle"
  # The application layer: an installed Python package (Flask 2.2.2,
  # before the fix of CVE-2023-30861) and the application's code.
  cp -a "$HERE/app/." "$bundle/rootfs/"
  umoci repack --image "$oci:$tag" --history.created_by "COPY app/ /" "$bundle"
  rm -rf "$bundle"
  umoci config --image "$oci:$tag" --no-history \
    --config.user 1000 --config.exposedports 5000/tcp \
    --config.entrypoint python3 --config.cmd /srv/app/app.py \
    --config.workingdir /srv/app
  umoci gc --layout "$oci"
  skopeo copy --quiet "oci:$oci:$tag" "docker-archive:$out/app.tar:team/app:$tag"
}

# --- RPM --------------------------------------------------------------------

build_rpm_rootfs() {
  local out=$1 spec
  mkdir -p "$out/rpmbuild" "$out/rootfs/etc" "$out/rootfs/var/lib/rpm"
  for spec in "$HERE"/rpm/*.spec; do
    rpmbuild --quiet -bb --define "_topdir $out/rpmbuild" "$spec" >&2
  done
  # rpm writes the database (SQLite with rpm >= 4.16) below --root.
  rpm --root "$out/rootfs" --dbpath /var/lib/rpm --initdb 2>/dev/null
  # (Debian's rpm warns on every call that it is not the system's package
  # manager: the output goes to a log.)
  rpm --root "$out/rootfs" --dbpath /var/lib/rpm -i --nodeps --noscripts --ignorearch --ignoreos \
    "$out"/rpmbuild/RPMS/*/*.rpm >"$out/rpm.log" 2>&1 ||
    { cat "$out/rpm.log" >&2; die "rpm -i failed"; }
  cp "$HERE/rpm/os-release" "$out/rootfs/etc/os-release"
  echo "AlmaLinux release 9.3 (Shamrock Pampas Cat)" >"$out/rootfs/etc/redhat-release"
  rm -rf "$out/rpmbuild/BUILD" "$out/rpmbuild/BUILDROOT"
}

main() {
  need debootstrap umoci skopeo rpm rpmbuild flock
  mkdir -p "$CACHE"
  # One builder at a time (tests may start it in parallel).
  exec 9>"$CACHE/.lock"
  flock 9
  local script="$HERE/build.sh"
  # The base root filesystem depends only on its own recipe, so that a
  # change to the packing does not fetch it again.
  local minbase="$CACHE/debian-minbase-$(hash_of "$(declare -f build_debian_minbase)" "$SUITE")"
  local app_files
  mapfile -t app_files < <(find "$HERE/app" -type f | sort)
  local image="$CACHE/debian-image-$(hash_of "$script" "${app_files[@]}")"
  local rpm="$CACHE/almalinux-rpm-$(hash_of "$script" "$HERE"/rpm/*)"
  build_once build_debian_minbase "$minbase"
  build_once_image() { build_debian_image "$1" "$minbase"; }
  build_once build_once_image "$image"
  build_once build_rpm_rootfs "$rpm"
  echo "VIGIL_FIXTURE_DEBIAN_ROOTFS=$minbase/rootfs"
  echo "VIGIL_FIXTURE_DEBIAN_OCI=$image/oci"
  echo "VIGIL_FIXTURE_DEBIAN_ARCHIVE=$image/app.tar"
  echo "VIGIL_FIXTURE_RPM_ROOTFS=$rpm/rootfs"
}

main "$@"
