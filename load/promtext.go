package load

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// promSample is one line of the Prometheus text exposition format.
type promSample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// maxScrape bounds what is read of /metrics: seira's has a few series per
// branch and service, far below this.
const maxScrape = 32 << 20

// parseProm reads the samples of a text exposition (comments skipped).
// Only what seira's registry writes is needed, but label values are
// unescaped properly because branch names come from administrators.
func parseProm(r io.Reader) ([]promSample, error) {
	var out []promSample
	sc := bufio.NewScanner(io.LimitReader(r, maxScrape))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parsePromLine(line)
		if err != nil {
			return nil, fmt.Errorf("metrics line %d: %w", n, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	return out, nil
}

func parsePromLine(line string) (promSample, error) {
	var s promSample
	i := strings.IndexAny(line, "{ \t")
	if i <= 0 {
		return s, fmt.Errorf("no value in %q", line)
	}
	s.Name, line = line[:i], line[i:]
	if line[0] == '{' {
		labels, rest, err := parseLabels(line[1:])
		if err != nil {
			return s, err
		}
		s.Labels, line = labels, rest
	}
	fields := strings.Fields(line)
	if len(fields) == 0 || len(fields) > 2 { // value and an optional timestamp
		return s, fmt.Errorf("want a value after %s", s.Name)
	}
	v, err := parsePromFloat(fields[0])
	if err != nil {
		return s, fmt.Errorf("%s: %w", s.Name, err)
	}
	s.Value = v
	return s, nil
}

// parseLabels reads `a="x",b="y"}` and returns the rest after the brace.
func parseLabels(in string) (map[string]string, string, error) {
	labels := map[string]string{}
	for {
		in = strings.TrimLeft(in, " ,")
		if strings.HasPrefix(in, "}") {
			return labels, in[1:], nil
		}
		eq := strings.IndexByte(in, '=')
		if eq <= 0 || len(in) < eq+2 || in[eq+1] != '"' {
			return nil, "", fmt.Errorf("bad label in %q", in)
		}
		name := strings.TrimSpace(in[:eq])
		in = in[eq+2:]
		var val strings.Builder
		closed := false
		for i := 0; i < len(in); i++ {
			c := in[i]
			if c == '\\' && i+1 < len(in) {
				i++
				switch in[i] {
				case 'n':
					val.WriteByte('\n')
				default: // \\ and \"
					val.WriteByte(in[i])
				}
				continue
			}
			if c == '"' {
				in, closed = in[i+1:], true
				break
			}
			val.WriteByte(c)
		}
		if !closed {
			return nil, "", fmt.Errorf("unterminated value of label %s", name)
		}
		labels[name] = val.String()
	}
}

func parsePromFloat(s string) (float64, error) {
	switch s {
	case "+Inf", "Inf":
		return math.Inf(1), nil
	case "-Inf":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// promSum adds the values of the samples called name whose labels match
// (nil matches all); ok is false when there is no such sample at all.
func promSum(samples []promSample, name string, match func(map[string]string) bool) (sum float64, ok bool) {
	for _, s := range samples {
		if s.Name == name && (match == nil || match(s.Labels)) {
			sum += s.Value
			ok = true
		}
	}
	return sum, ok
}
