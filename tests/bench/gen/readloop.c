/*
 * readloop: the physical limit of reading a capture with libpcap: open,
 * pcap_next_ex every packet, touch one byte, nothing else.
 * usage: readloop FILE   (prints packets and a checksum)
 */
#include <pcap/pcap.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long n = 0, sum = 0;
	pcap_t *p;

	if (argc != 2 || (p = pcap_open_offline(argv[1], errbuf)) == NULL) {
		fprintf(stderr, "usage: readloop FILE\n");
		return 2;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		sum += h->caplen > 14 ? d[14] : 0;
	}
	pcap_close(p);
	printf("%llu packets, checksum %llu\n", n, sum);
	return 0;
}
