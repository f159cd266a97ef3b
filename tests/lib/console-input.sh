# shellcheck shell=bash disable=SC2034 # typing_rc, TYPING_SWITCH are for the caller
# Typing on the board's console in a test: a run script started with
# --input on a FIFO, its log watched for what the guests print, keys
# written when they are ready for them.
#
#   typing_start LOG RUN-COMMAND...   start it in the background
#   typing_wait PATTERN               0 once LOG has PATTERN, 1 if the run ended first
#   typing_send KEYS                  write KEYS (printf %b: \r, \x01 ...)
#   typing_end                        wait for the run; its status in typing_rc
#
# Three Ctrl-A move the focus to the next VM; QEMU's -nographic console
# takes Ctrl-A as its own escape, so each is written twice.
TYPING_SWITCH='\x01\x01\x01\x01\x01\x01'

typing_start() {
  typing_log=$1
  shift
  typing_fifo=$(mktemp -u)
  mkfifo "$typing_fifo"
  "$@" --input "$typing_fifo" >"$typing_log" 2>&1 &
  typing_pid=$!
  exec 3>"$typing_fifo"
}

typing_wait() {
  while kill -0 "$typing_pid" 2>/dev/null; do
    grep -aqF -- "$1" "$typing_log" && return 0
    sleep 0.2
  done
  grep -aqF -- "$1" "$typing_log"
}

typing_send() {
  # shellcheck disable=SC2059 # the keys are the format: \r, \x01
  printf "$1" >&3
}

typing_end() {
  wait "$typing_pid"
  typing_rc=$?
  exec 3>&-
  rm -f "$typing_fifo"
}
