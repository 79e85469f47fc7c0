#!/usr/bin/env bash
# Static checks of everything under deploy/ that this machine can check (no cluster, no Docker engine):
# HAProxy and nginx configs with their own binaries (plain and with TLS, on a throw-away openssl certificate), YAML syntax of the Kubernetes manifests and the compose file
# (PyYAML), shell syntax of the scripts, and the servers' G1 flag file as the java launcher reads it. Exit 1 on the first
# failure.
set -euo pipefail
cd "$(dirname "$0")"
# Each check runs as a command of its own, so that set -e stops at the first one that fails (a failing command
# inside $(...) or before && would not stop it).
out="$(haproxy -c -f haproxy/haproxy.cfg 2>&1)" || { echo "haproxy: $out" >&2; exit 1; }
echo "haproxy: $out"
prefix="$(mktemp -d)"; trap 'rm -rf "$prefix"' EXIT
nginx -t -q -p "$prefix/" -c "$PWD/nginx/nginx.conf"
echo "nginx: configuration OK"
# The TLS variants need certificate files: a throw-away self-signed one (never committed).
mkdir -p "$prefix/nginx/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$prefix/tls.key" -out "$prefix/tls.crt" 2>/dev/null
cat "$prefix/tls.crt" "$prefix/tls.key" > "$prefix/lb.pem"
SB_LB_TLS_PEM="$prefix/lb.pem" haproxy -c -q -f haproxy/haproxy.cfg
echo "haproxy (TLS termination): configuration OK"
SB_LB_TLS_PEM="$prefix/lb.pem" SB_GATEWAY_CA="$prefix/tls.crt" haproxy -c -q -f haproxy/haproxy.cfg
echo "haproxy (TLS termination, re-encrypted to the gateways): configuration OK"
cp nginx/*.conf "$prefix/nginx/"
cp "$prefix/tls.crt" "$prefix/nginx/tls/switchboard.crt"; cp "$prefix/tls.key" "$prefix/nginx/tls/switchboard.key"
cp "$prefix/tls.crt" "$prefix/nginx/tls/gateway-ca.crt"
nginx -t -q -p "$prefix/nginx/" -c "$prefix/nginx/nginx-tls.conf"
echo "nginx (TLS termination): configuration OK"
sed -i 's/include switchboard-hop-plain.conf;/include switchboard-hop-tls.conf;/' "$prefix/nginx/nginx-tls.conf"
grep -q 'include switchboard-hop-tls.conf;' "$prefix/nginx/nginx-tls.conf"
nginx -t -q -p "$prefix/nginx/" -c "$prefix/nginx/nginx-tls.conf"
echo "nginx (TLS termination, re-encrypted to the gateways): configuration OK"
python3 - <<'PY'
import glob, yaml
for f in sorted(glob.glob("kubernetes/*.yaml")) + sorted(glob.glob("kubernetes/tls/*.yaml")) + ["compose/docker-compose.yml"] + sorted(glob.glob("config/*.yaml")) + sorted(glob.glob("local-cluster/config/*.yaml")):
    docs = [d for d in yaml.safe_load_all(open(f)) if d is not None]
    for d in docs:
        if f.startswith("kubernetes/"):
            assert "apiVersion" in d and "kind" in d, f"{f}: a document without apiVersion/kind"
            if d["kind"] == "ConfigMap":
                for key, text in d.get("data", {}).items():
                    if key.endswith(".yaml"):
                        yaml.safe_load(text)
            # The tls/ overlay's patches are partial workloads: their selectors are the base's.
            if d["kind"] in ("Deployment", "StatefulSet") and not f.startswith("kubernetes/tls/"):
                labels = d["spec"]["template"]["metadata"]["labels"]
                assert all(labels.get(k) == v for k, v in d["spec"]["selector"]["matchLabels"].items()), f
    print(f"yaml: {f}: {len(docs)} document(s) OK")
PY
for s in local-cluster/cluster.sh local-cluster/smoke.sh validate.sh; do bash -n "$s"; echo "bash -n $s: OK"; done
# Every server JVM reads this file (java @FILE): a flag the JDK does not know would stop them all from starting.
java="$(../bin/java-home)/bin/java"
if ! out="$("$java" @jvm/server-g1.jvm-options -version 2>&1)"; then echo "$out" >&2; exit 1; fi
echo "java @jvm/server-g1.jvm-options: OK"
python3 -c "import ast; ast.parse(open('local-cluster/smoke_client.py').read())"
echo "python: local-cluster/smoke_client.py parses"
echo "Not validated: the Kubernetes manifests against an API server (no kubectl/kubeconform here) and the compose"
echo "file and Dockerfile against Docker (no engine here)."
