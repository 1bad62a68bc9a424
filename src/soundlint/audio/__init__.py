"""Audio: container sniffing, header facts, the RIFF walker and the loudness meter."""
