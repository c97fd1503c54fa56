def r3: (. * 1000 | round) / 1000 | tostring | if test("\\.") then . else . + ".0" end;
def f3: (. * 1000 | round) as $v | ($v | fabs) as $a | (if $v < 0 then "−" else "" end) + "0." + ((1000 + $a) | tostring | .[1:]) ;
def ms: (add / length) as $m | (if length > 1 then ((map((. - $m) * (. - $m)) | add) / (length - 1)) | sqrt else 0 end) as $s | "\($m | f3) ± \($s | f3)";
def g($n): map(.groups[] | select(.name == $n));
.runs | group_by(.variant) | map(select(.[0].variant | IN($order[]))) | sort_by(.[0].variant as $v | $order | index($v))[] |
  "| \(.[0].variant) | \(map(.testAUC | add / length) | ms) | \(g("overall-shared") | map(.conflictRate) | ms) | \(g("overall-shared") | map(.meanCosine) | ms) | \(g("embeddings") | map(.conflictRate) | ms) | \(g("embeddings") | map(.meanCosine) | ms) | \(g("task-specific") | map(.conflictRate) | ms) |"
