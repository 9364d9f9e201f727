#!/bin/sh
# make.sh renders every clip listed in clips.tsv with espeak-ng, plus the
# chime, and writes them as 16-bit PCM mono WAV files beside this script.
#
# Run it from anywhere (go generate ./announce does): it only writes into its
# own directory. It needs espeak-ng and sox on PATH. See README.md.
set -eu

cd "$(dirname "$0")"

# One format for every clip: the Go side joins raw samples and refuses clips
# that differ. 16 kHz keeps the embedded clips small; espeak-ng's voices have
# little energy above 8 kHz, so nothing audible is lost.
RATE=16000
# Calm and clear rather than brisk: espeak-ng's default is 175 words/min, 50 pitch.
SPEED=140
PITCH=45
# Below espeak-ng's default of 100, so that its loudest words never saturate
# before sox normalises them.
AMPLITUDE=70
# Peak level of speech clips (dBFS) and of the softer chime.
SPEECH_PEAK=-3
CHIME_PEAK=-9
# Below this level counts as silence when trimming clip edges.
TRIM=-50d

need() { command -v "$1" >/dev/null 2>&1 || { echo "make.sh: $1 not found" >&2; exit 1; }; }
need espeak-ng
need sox

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# -D: no dither, so that the output is the same on every run.
# silence … reverse silence … reverse: trim leading, then trailing silence.
# fade (while reversed, then again forwards): 5 ms ramps at both ends, so
# that a trimmed edge never clicks against the silence between words.
finish() {
	sox -V1 -D "$1" -r "$RATE" -c 1 -b 16 -e signed-integer "$2" \
		silence 1 0.005 "$TRIM" reverse silence 1 0.005 "$TRIM" fade q 0.005 reverse fade q 0.005 \
		rate -v "$RATE" norm "$3"
}

rm -f el/*.wav en/*.wav chime.wav
mkdir -p el en

n=0
# clips.tsv: name<TAB>voice<TAB>text; lines starting with # are comments.
while IFS="$(printf '\t')" read -r name voice text; do
	case "$name" in '' | '#'*) continue ;; esac
	espeak-ng -v "$voice" -s "$SPEED" -p "$PITCH" -a "$AMPLITUDE" -w "$tmp/raw.wav" -- "$text"
	finish "$tmp/raw.wav" "$name.wav" "$SPEECH_PEAK"
	n=$((n + 1))
done <clips.tsv

# The chime: two soft sine tones, G5 then E5 (a falling major third, the
# usual "attention" interval), the second overlapping the first's decay;
# 0.8 s in all.
sox -V1 -D -n -r "$RATE" -c 1 -b 16 "$tmp/t1.wav" synth 0.45 sine 784 fade q 0.02 0.45 0.35
sox -V1 -D -n -r "$RATE" -c 1 -b 16 "$tmp/t2.wav" synth 0.55 sine 659 fade q 0.02 0.55 0.45 pad 0.25 0
sox -V1 -D -m "$tmp/t1.wav" "$tmp/t2.wav" -r "$RATE" -c 1 -b 16 -e signed-integer chime.wav norm "$CHIME_PEAK"
n=$((n + 1))

echo "make.sh: wrote $n clips ($(du -ch chime.wav el/*.wav en/*.wav | tail -1 | cut -f1))"
