# Real peers for the interop tests (peer-tools.md has the commands and the
# pitfalls): softflowd and pmacctd/nfprobe as IPFIX exporters, nfcapd and
# nfacctd as collectors. Each runs in a namespace under `bg` (e2e.bash),
# bounded in time; pmacct daemons are stopped with SIGINT (after SIGTERM
# the nfacctd core stays alive with a defunct plugin).

# softflowd_export NS PCAP HOST PORT: meter PCAP, export IPFIX over UDP,
# wait for it to finish (bounded). Never -c with -r: softflowd would
# block in accept() and not read the file.
softflowd_export() {
	ip netns exec "$1" timeout 60 softflowd -d -r "$2" -n "$3:$4" -v 10 \
	    -m 131034 -c none -p "$tmp/softflowd.pid" > "$tmp/softflowd.log" 2>&1
}

# pmacctd_export NS PCAP HOST PORT: pmacctd's nfprobe plugin exporting
# IPFIX of PCAP; it sleeps 2 s before reading a savefile and exits at its
# end (about 2 s more).
pmacctd_export() {
	cat > "$tmp/pmacctd.conf" <<CONF
daemonize: false
pcap_savefile: $2
pcap_savefile_wait: false
plugins: nfprobe[ex]
nfprobe_receiver[ex]: $3:$4
nfprobe_version[ex]: 10
nfprobe_maxflows[ex]: 131034
nfprobe_timeouts[ex]: general=1:maxlife=1
CONF
	ip netns exec "$1" timeout -s INT -k 5 60 pmacctd -f "$tmp/pmacctd.conf" \
	    > "$tmp/pmacctd.log" 2>&1
}

# nfcapd_start NS ADDR PORT DIR: nfcapd writing into DIR (which must hold
# nothing else: 'nfdump -R' refuses foreign files).
nfcapd_start() {
	mkdir -p "$4"
	bg nfcapd 90 "$1" nfcapd -w "$4" -p "$3" -b "$2" -t 3600 \
	    -P "$tmp/nfcapd.pidfile"
}

# nfcapd_sums DIR: "FLOWS PACKETS BYTES" of what nfcapd stored.
nfcapd_sums() {
	timeout 60 nfdump -R "$1" -I 2> /dev/null | awk -F': ' '
	    $1 == "Flows" { f = $2 } $1 == "Packets" { p = $2 }
	    $1 == "Bytes" { b = $2 } END { print f + 0, p + 0, b + 0 }'
}

# nfacctd_start NS ADDR PORT DIR: nfacctd with a CSV print plugin, one
# line per (addresses, ports, protocol); written when it stops.
nfacctd_start() {
	mkdir -p "$4"
	cat > "$tmp/nfacctd.conf" <<CONF
daemonize: false
nfacctd_ip: $2
nfacctd_port: $3
plugins: print[p]
aggregate[p]: src_host, dst_host, src_port, dst_port, proto
print_output[p]: csv
print_output_file[p]: $4/out-%s.csv
print_refresh_time[p]: 3600
CONF
	bg nfacctd 90 "$1" nfacctd -f "$tmp/nfacctd.conf"
}

# nfacctd_sum DIR COLUMN: the sum of a CSV column (PACKETS, BYTES, ...)
# over what nfacctd printed.
nfacctd_sum() {
	cat "$1"/out-*.csv 2> /dev/null | awk -F, -v c="$2" '
	    NR == 1 || $1 ~ /^[A-Z_]+$/ { for (i = 1; i <= NF; i++)
		if ($i == c) col = i; next }
	    col { s += $col } END { print s + 0 }'
}
