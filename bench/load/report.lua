-- wrk -s report.lua: after the run, one JSON line with what bench/load/run.py
-- tabulates (latencies in microseconds). wrk counts a status >= 400 as an
-- error; a 303 redirect is a success.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"p50_us":%d,"p99_us":%d,"bad_status":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
