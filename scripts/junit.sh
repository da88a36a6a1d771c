# Sourced by test scripts whose checks are not a test runner's: each check is
# one JUnit <testcase>, so scripts/count-tests.py counts it in CI's summary.
#   junit_begin SUITE            name the report's suite (before the first case)
#   junit_case NAME COMMAND...   run COMMAND; its output is shown only if it fails
#   junit_write FILE             write the report; fails if any case failed or none ran
junit_suite=check
junit_cases=()
junit_failures=0

junit_begin() { junit_suite=$1; }

junit_case() {
  # Odd local names: COMMAND may be a function of the caller that reads its own globals.
  local _jname=$1 _jlog _jwhy
  shift
  _jlog=$(mktemp)
  if "$@" >"$_jlog" 2>&1; then
    echo "ok   $_jname"
    junit_cases+=("<testcase classname=\"$junit_suite\" name=\"$_jname\"/>")
  else
    echo "FAIL $_jname"
    sed 's/^/     /' "$_jlog"
    junit_failures=$((junit_failures + 1))
    # The output's last lines say why: XML-escaped, control characters dropped.
    _jwhy=$(tail -n 30 "$_jlog" | tr -d '\000-\010\013\014\016-\037' |
      sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
    junit_cases+=("<testcase classname=\"$junit_suite\" name=\"$_jname\"><failure message=\"failed\">$_jwhy</failure></testcase>")
  fi
  rm -f "$_jlog"
}

junit_write() {
  local file=$1
  mkdir -p "$(dirname "$file")"
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<testsuite name=\"$junit_suite\" tests=\"${#junit_cases[@]}\" failures=\"$junit_failures\">"
    [ ${#junit_cases[@]} -eq 0 ] || printf '%s\n' "${junit_cases[@]}"
    echo '</testsuite>'
  } >"$file"
  echo "$junit_suite: $((${#junit_cases[@]} - junit_failures)) passed, $junit_failures failed ($file)"
  [ ${#junit_cases[@]} -gt 0 ] && [ "$junit_failures" -eq 0 ]
}
