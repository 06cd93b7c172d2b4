#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CPython: between every two snapshots a Python program keeps 20,000 new
# 200-byte bytes objects.  Each starts with a refcount and then ob_type, a
# pointer to PyBytes_Type, one word in.  The verdict must name PyBytes_Type (a
# data symbol) and count the objects made between leakhunt's two dumps.
. "${MS_SRCDIR:-.}/tests/scenarios/lib.sh"
scen_init
command -v nm > /dev/null || ms_skip "no nm to check python3's symbols (apt-get install binutils)"
cat > "$tmp/run-py" <<RUN
#!/bin/sh
exec python3 -u '$scen_dir/pyleak.py'
RUN
chmod +x "$tmp/run-py"
MS_LEAKER=$tmp/run-py
leaker_start
SCEN_PID=$LEAKER_PID

# PyBytes_Type must be resolvable in the running python (its executable or
# libpython), or no tool could name it: checked with nm, not with memsift.
resolvable=
for f in "$(readlink -f "/proc/$SCEN_PID/exe")" \
	 $(awk '$6 ~ /libpython[0-9.]*\.so/ { print $6 }' "/proc/$SCEN_PID/maps" | sort -u); do
	if nm -D --defined-only "$f" 2> /dev/null | grep -qw PyBytes_Type ||
	   nm --defined-only "$f" 2> /dev/null | grep -qw PyBytes_Type; then
		resolvable=$f
	fi
done
if [ -z "$resolvable" ]; then
	leaker_stop
	ms_skip "python3 (pid $SCEN_PID, $(readlink -f "/proc/$SCEN_PID/exe")) has no symbol PyBytes_Type to resolve"
fi
printf 'PyBytes_Type is in %s\n' "$resolvable" >&2

py_report()
{
	leaker_cmd report
	printf '%s\n' "${LEAKER_REPLY#ok }"
}
drive_py()
{
	leaker_cmd bytes 20000
}
scen_hunt py_report drive_py -i 20ms --count 12
leaker_cmd report
size=$(leaker_field size)
scen_check --min-share 0.5 --clause "label=bytes;name=PyBytes_Type;kind=data;truth=bytes;total=bytes;minsize=$size" ||
	ms_fail "the verdict does not match the bytes objects python kept (see above)"
leaker_stop
exit 0
