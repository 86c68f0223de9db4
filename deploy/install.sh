#!/usr/bin/env bash
# Installs a release build of aurorad as a systemd service on this Debian host. Run as root from the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root (it creates a system user and writes /etc and /usr/local)" >&2; exit 2; }
apt-get install -y --no-install-recommends libcurl4 libssl3 libsqlite3-0 >/dev/null
swift build -c release --product aurorad
install -m 0755 "$(swift build -c release --show-bin-path)/aurorad" /usr/local/bin/aurorad
getent group aurorad >/dev/null || groupadd --system aurorad
getent passwd aurorad >/dev/null || useradd --system --gid aurorad --home-dir /var/lib/aurorad --shell /usr/sbin/nologin aurorad
install -d -m 0755 /etc/aurorad
[ -e /etc/aurorad/aurorad.toml ] || install -m 0644 config/aurorad.toml /etc/aurorad/aurorad.toml
sed -i 's/^socket_group = ""/socket_group = "aurorad"/' /etc/aurorad/aurorad.toml
install -m 0644 deploy/aurorad.service /etc/systemd/system/aurorad.service
install -d -m 0755 /usr/share/doc/aurorad && install -m 0644 README.md /usr/share/doc/aurorad/README.md
systemctl daemon-reload
echo "installed. Next: put AWS settings in /etc/aurorad/environment, then: systemctl enable --now aurorad"
echo "operators in group aurorad can run: aurorad ctl list"
