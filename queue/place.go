package queue

import "math"

// MaxAddressLen bounds a branch's address, per language.
const MaxAddressLen = 200

// validatePlace checks a branch's address and coordinates: both
// coordinates or neither (a point with one of them is nowhere), each
// within its range.
func (b Branch) validatePlace() error {
	if !b.Address.Empty() {
		if err := validText("the address", b.Address, MaxAddressLen); err != nil {
			return err
		}
	}
	if (b.Lat == nil) != (b.Lon == nil) {
		return Errorf(CodeValidation, "lat and lon go together: give both or neither")
	}
	if b.Lat == nil {
		return nil
	}
	lat, lon := *b.Lat, *b.Lon
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return Errorf(CodeValidation, "lat must be between -90 and 90")
	}
	if math.IsNaN(lon) || lon < -180 || lon > 180 {
		return Errorf(CodeValidation, "lon must be between -180 and 180")
	}
	return nil
}
