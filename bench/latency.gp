# bench/latency.gp — p50 latency per query class and engine, from report's plot data.
# Called by bench/run.sh: gnuplot -e "datafile='…'; outfile='…'" bench/latency.gp
# The first line of the data holds the column heads. Missing figures ('?': not measured,
# or unsupported) leave a gap in their cluster.
set terminal pngcairo size 1200,560 font "sans,10" noenhanced
set output outfile
set datafile missing "?"
set datafile separator "\t"
set title "p50 latency of a top-10 query, by class (log scale, lower is better)"
set ylabel "ms"
set logscale y
set grid ytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -35 nomirror
set key top left
plot datafile using 2:xtic(1) title columnhead(2) linecolor rgb "#1b9e77", \
     '' using 3 title columnhead(3) linecolor rgb "#d95f02", \
     '' using 4 title columnhead(4) linecolor rgb "#7570b3"
