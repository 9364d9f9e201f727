package stats

// SummariseForTest exposes summarise to the tests.
func SummariseForTest(v []int32) Summary { return summarise(v) }
