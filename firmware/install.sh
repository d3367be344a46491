#!/bin/sh
# Installs hotspotd on a Linux LoRa gateway, next to the Semtech packet
# forwarder or the SX1302 HAL's lora_pkt_fwd. Run it as root from the
# release directory (the one holding hotspotd-linux-*, manifest.json and
# hotspotd.service; `make firmware` writes it as dist/):
#
#   sudo sh install.sh --mqtt tcp://BROKER:1883 --region EU868 \
#       [--oracle ADDRESS] [--update-source URL --update-key ADDRESS] [--dist DIR]
#
# It installs /opt/hexnet/bin/hotspotd, the systemd unit, the configuration
# /etc/hexnet/hotspotd.toml (kept if present) and the key
# /etc/hexnet/hotspot.key (generated with `hotspotd keygen` if missing, never
# overwritten), starts the service and prints the hotspot's address and the
# next steps.
set -eu

PREFIX=/opt/hexnet
ETC=/etc/hexnet
KEY=$ETC/hotspot.key
CONF=$ETC/hotspotd.toml
UNIT=/etc/systemd/system/hotspotd.service
USER_NAME=hexnet

die() {
	printf 'install.sh: %s\n' "$*" >&2
	exit 1
}

usage() {
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}

dist=$(dirname "$0")
mqtt=""
region=""
oracle=""
update_source=""
update_key=""
while [ $# -gt 0 ]; do
	case $1 in
	--dist) dist=${2:?--dist needs a directory}; shift 2 ;;
	--mqtt) mqtt=${2:?--mqtt needs tcp://HOST:PORT}; shift 2 ;;
	--region) region=${2:?--region needs a region, e.g. EU868}; shift 2 ;;
	--oracle) oracle=${2:?--oracle needs an address}; shift 2 ;;
	--update-source) update_source=${2:?--update-source needs a URL or directory}; shift 2 ;;
	--update-key) update_key=${2:?--update-key needs the release key address}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) printf 'install.sh: unknown argument %s\n' "$1" >&2; usage 2 ;;
	esac
done

[ "$(id -u)" -eq 0 ] || die "run me as root (sudo sh $0 ...)"

# arch prints the name of this machine's build: arm, arm64, mipsle or amd64.
arch() {
	case $(uname -m) in
	x86_64 | amd64) echo amd64 ;;
	aarch64 | arm64) echo arm64 ;;
	armv7* | armv8l) echo arm ;;
	armv6* | armv5*) die "$(uname -m) is older than ARMv7; hexnet releases need ARMv7 or later" ;;
	mips*)
		# uname says "mips" on both byte orders; 1 means little-endian.
		if [ "$(printf '\001\000' | od -An -tu2 | tr -d ' ')" = 1 ]; then
			echo mipsle
		else
			die "big-endian MIPS is not a hexnet target (mipsle is)"
		fi
		;;
	*) die "unsupported machine $(uname -m) (hexnet builds arm, arm64, mipsle and amd64)" ;;
	esac
}

# check_sha compares the binary with manifest.json, when both it and
# sha256sum are there. (hotspotd itself verifies the release signature for
# updates; here, check the release's origin yourself.)
check_sha() {
	manifest=$dist/manifest.json
	if [ ! -f "$manifest" ] || ! command -v sha256sum >/dev/null 2>&1; then
		return 0
	fi
	want=$(grep -A1 "\"url\": \"$(basename "$1")\"" "$manifest" | sed -n 's/.*"sha256": "\([0-9a-f]*\)".*/\1/p')
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ -n "$want" ] || die "$(basename "$1") is not in $manifest"
	[ "$want" = "$got" ] || die "$1 has sha256 $got, $manifest says $want: download the release again"
}

add_user() {
	id "$USER_NAME" >/dev/null 2>&1 && return 0
	if command -v useradd >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /var/lib/hexnet --shell /usr/sbin/nologin "$USER_NAME"
	else # BusyBox
		addgroup -S "$USER_NAME" && adduser -S -D -H -h /var/lib/hexnet -s /sbin/nologin -G "$USER_NAME" "$USER_NAME"
	fi
}

a=$(arch)
bin=$dist/hotspotd-linux-$a
[ -f "$bin" ] || die "no $bin: run me from the release directory or pass --dist DIR"
check_sha "$bin"

add_user
install -d -o "$USER_NAME" -g "$USER_NAME" -m 0755 "$PREFIX/bin"
install -o "$USER_NAME" -g "$USER_NAME" -m 0755 "$bin" "$PREFIX/bin/hotspotd.new"
mv -f "$PREFIX/bin/hotspotd.new" "$PREFIX/bin/hotspotd"
ln -sf "$PREFIX/bin/hotspotd" /usr/local/bin/hotspotd
install -d -o root -g "$USER_NAME" -m 0750 "$ETC"
install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 /var/lib/hexnet
echo "installed $PREFIX/bin/hotspotd ($a, $("$PREFIX/bin/hotspotd" version))"

address=""
if [ ! -f "$KEY" ]; then
	address=$("$PREFIX/bin/hotspotd" keygen --out "$KEY")
	echo "generated the hotspot key $KEY"
else
	echo "kept the existing hotspot key $KEY"
fi
chown "$USER_NAME:$USER_NAME" "$KEY"
chmod 0600 "$KEY"

if [ ! -f "$CONF" ]; then
	[ -n "$mqtt" ] || die "no $CONF yet: pass --mqtt tcp://BROKER:1883 (and --region)"
	set -- --key "$KEY" --mqtt "$mqtt"
	[ -z "$region" ] || set -- "$@" --region "$region"
	[ -z "$oracle" ] || set -- "$@" --oracle "$oracle"
	[ -z "$update_source" ] || set -- "$@" --update-source "$update_source" --update-key "$update_key"
	if "$PREFIX/bin/hotspotd" config --key "$KEY" | grep -q '^queue_dir'; then
		set -- "$@" --queue-dir /var/lib/hexnet/queue
	fi
	"$PREFIX/bin/hotspotd" config "$@" >"$CONF.new"
	chown "root:$USER_NAME" "$CONF.new"
	chmod 0640 "$CONF.new"
	mv -f "$CONF.new" "$CONF"
	echo "wrote $CONF"
else
	echo "kept the existing $CONF (flags of this run are ignored; edit it, then: systemctl restart hotspotd)"
fi

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	[ -f "$dist/hotspotd.service" ] || die "no $dist/hotspotd.service"
	install -o root -g root -m 0644 "$dist/hotspotd.service" "$UNIT"
	systemctl daemon-reload
	systemctl enable hotspotd >/dev/null 2>&1
	systemctl restart hotspotd
	echo "hotspotd.service enabled and started"
	sleep 2
	if [ -z "$address" ]; then
		address=$("$PREFIX/bin/hotspotd" status 2>/dev/null | sed -n 's/^hotspot *//p')
	fi
else
	echo "no systemd here: start '$PREFIX/bin/hotspotd --config $CONF' as user $USER_NAME from your init system,"
	echo "restarting it whenever it exits (status 75 means it installed an update)."
fi

cat <<EOT

hotspot address: ${address:-(see: hotspotd status)}

Next steps:
  1. Point the packet forwarder at hotspotd (server_address 127.0.0.1, serv_port_up and serv_port_down 1680):
       hotspotd forwarder-config --region ${region:-EU868} --chip sx1302 > global_conf.json
  2. Onboard the hotspot to your owner key:
       hexnet hotspot onboard --owner-key OWNER.key --hotspot-key $KEY --api ORACLE_URL
  3. Assert its location:
       hexnet hotspot assert-location --owner-key OWNER.key --hotspot ${address:-ADDRESS} --lat LAT --lng LNG --region ${region:-EU868}
  4. Check on it:
       hotspotd status
       journalctl -u hotspotd -f
EOT
