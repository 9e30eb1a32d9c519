# Sourced by the page measurements (bench/pages.sh, bench/lighthouse.sh): builds Release, starts Reach on SQLite with
# --demo in a private folder on $port, waits until it answers, and signs in through the forms as a browser does
# (antiforgery token and cookie from the page, then the post): the demo newcomer into $work/member.jar, the operator
# into $work/admin.jar. Needs $port and $work; sets $server, $base, $jar and $admin, and stops the server on exit.
key="bench-admin-key-0123456789"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

dotnet build src/Reach.Server -c Release -nologo -v q >/dev/null
(cd "$work" && exec dotnet "$OLDPWD/src/Reach.Server/bin/Release/net10.0/Reach.Server.dll" \
  --db "$work/reach.db" --demo --urls "http://127.0.0.1:$port" --admin-key "$key" >"$work/server.log" 2>&1) &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do curl -sf "$base/health" >/dev/null 2>&1 && break; sleep 0.5; done

antiforgery() { curl -s -c "$1" "$base$2" | grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' | sed 's/.*value="//;s/"$//'; }
jar="$work/member.jar"
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "Email=alex@demo.reach" --data-urlencode "Password=reach-demo" \
  --data-urlencode "__RequestVerificationToken=$(antiforgery "$jar" /signin)" "$base/signin"
admin="$work/admin.jar"
curl -s -b "$admin" -c "$admin" -o /dev/null --data-urlencode "key=$key" \
  --data-urlencode "__RequestVerificationToken=$(antiforgery "$admin" /admin/signin)" "$base/admin/signin"
