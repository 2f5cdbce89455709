#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# record -- CMD exits with CMD's status, 128+N when CMD dies of signal N.
source "$(dirname "$0")/lib.sh"
live_init "$@"

rec ok true
check_eq "record -- true" 0 "$REC_RC"
rec seven sh -c 'exit 7'
check_eq "record -- sh -c 'exit 7'" 7 "$REC_RC"
rec term sh -c 'kill -TERM $$'
check_eq "record -- sh -c 'kill -TERM \$\$' (128+15)" 143 "$REC_RC"
rec kill9 sh -c 'kill -KILL $$'
check_eq "record -- sh -c 'kill -KILL \$\$' (128+9)" 137 "$REC_RC"
# the recording of a failing command is still a good recording
report_json seven
check_recording seven
check_jq "sh recorded as exited" true "$T/seven.json" '[.processes[] | select(.comm == "sh") | .exited] | all and length > 0'
live_finish
