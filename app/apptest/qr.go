package apptest

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQR reads the text of the QR code in a PNG image, as a phone's
// camera would.
func DecodeQR(t testing.TB, pngData []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The images are clean and upright, as served: read them as such. The
	// finder-pattern detector misjudges the version of about 1 in 140
	// such codes (measured over 2,000 random links), which made tests fail
	// by chance; the pure reading failed none.
	pure := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}
	got, err := qrcode.NewQRCodeReader().Decode(bmp, pure)
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	return got.GetText()
}
