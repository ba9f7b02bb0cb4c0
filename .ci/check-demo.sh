#!/usr/bin/env bash
# Checks what ./spectrum demo left in spectrum_demo, by SQL of its own (not the demo's report):
# the funnel's step counts decrease, the planted experiment effect is significant and positive,
# and every retention cohort's period 0 is 100%.
set -euo pipefail
q() { psql -X -At -h localhost -U postgres -d spectrum_demo -c "$1"; }
fail=0
check() { if [ "$2" = "t" ]; then echo "demo check ok: $1"; else echo "demo check FAILED: $1"; fail=1; fi; }
check "funnel step counts decrease" "$(q "SELECT bool_and(persons < previous) FROM (SELECT persons, lag(persons) OVER (ORDER BY step) AS previous FROM analytics.mv_conversion_funnels WHERE funnel = 'checkout' AND granularity = 'total' AND breakdown = '') s WHERE previous IS NOT NULL")"
check "planted experiment effect significant and positive" "$(q "SELECT coalesce(bool_and(rel_lift > 0 AND significant), false) FROM analytics.mv_experiment_results WHERE experiment = 'new-checkout' AND metric = 'purchase_rate' AND variant = 'treatment'")"
check "retention period 0 is 100%" "$(q "SELECT bool_and(retention_rate = 1) AND count(*) > 0 FROM analytics.mv_retention_cohorts WHERE period_number = 0")"
exit $fail
