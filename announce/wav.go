package announce

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// format is the part of a WAV fmt chunk that the clips must agree on.
type format struct {
	channels int
	rate     int
	bits     int
}

// parseWAV reads a PCM RIFF/WAVE file and returns its format and the bytes of
// its data chunk. Chunks other than fmt and data (LIST, fact, …) are
// skipped, so clips written by any tool load.
func parseWAV(b []byte) (format, []byte, error) {
	var f format
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return f, nil, errors.New("not a RIFF/WAVE file")
	}
	var data []byte
	haveFmt, haveData := false, false
	for p := 12; p+8 <= len(b); {
		id := string(b[p : p+4])
		size := int(binary.LittleEndian.Uint32(b[p+4 : p+8]))
		p += 8
		if size > len(b)-p {
			return f, nil, fmt.Errorf("chunk %q of %d bytes overruns the file", id, size)
		}
		body := b[p : p+size]
		switch id {
		case "fmt ":
			if size < 16 {
				return f, nil, fmt.Errorf("fmt chunk of %d bytes", size)
			}
			if tag := binary.LittleEndian.Uint16(body[0:2]); tag != 1 {
				return f, nil, fmt.Errorf("format tag %d: want 1 (PCM)", tag)
			}
			f.channels = int(binary.LittleEndian.Uint16(body[2:4]))
			f.rate = int(binary.LittleEndian.Uint32(body[4:8]))
			f.bits = int(binary.LittleEndian.Uint16(body[14:16]))
			blockAlign := int(binary.LittleEndian.Uint16(body[12:14]))
			byteRate := int(binary.LittleEndian.Uint32(body[8:12]))
			if f.channels < 1 || f.rate < 1 || f.bits%8 != 0 || f.bits == 0 ||
				blockAlign != f.channels*f.bits/8 || byteRate != f.rate*blockAlign {
				return f, nil, fmt.Errorf("inconsistent fmt chunk: %d channels, %d Hz, %d bits, block %d, %d bytes/s",
					f.channels, f.rate, f.bits, blockAlign, byteRate)
			}
			haveFmt = true
		case "data":
			data, haveData = body, true
		}
		p += size + size%2 // chunks are padded to an even length
	}
	if !haveFmt || !haveData {
		return f, nil, errors.New("no fmt or no data chunk")
	}
	if len(data)%(f.channels*f.bits/8) != 0 {
		return f, nil, fmt.Errorf("data of %d bytes is not whole samples", len(data))
	}
	return f, data, nil
}

// wavHeader returns the canonical 44-byte RIFF/WAVE header for n bytes of
// PCM data, with room after it for the data.
func wavHeader(f format, n int) []byte {
	block := f.channels * f.bits / 8
	b := make([]byte, 44, 44+n+n%2)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+n+n%2))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], uint16(f.channels))
	binary.LittleEndian.PutUint32(b[24:], uint32(f.rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(f.rate*block))
	binary.LittleEndian.PutUint16(b[32:], uint16(block))
	binary.LittleEndian.PutUint16(b[34:], uint16(f.bits))
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(n))
	return b
}

// encodeWAV wraps PCM data in a RIFF/WAVE file.
func encodeWAV(f format, data []byte) []byte {
	b := append(wavHeader(f, len(data)), data...)
	if len(data)%2 == 1 {
		b = append(b, 0) // chunks are padded to even length; the pad is not data
	}
	return b
}
