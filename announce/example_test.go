package announce_test

import (
	"fmt"
	"log"

	"github.com/seira-queue/seira/announce"
)

func ExampleAnnouncer_Parts() {
	a, err := announce.New()
	if err != nil {
		log.Fatal(err)
	}
	parts, err := a.Parts("A123", "3", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(parts)
	// Output:
	// [chime el/o_arithmos el/letter_alpha el/num_100n el/num_20 el/num_3 el/sto_gkise el/num_3 en/number en/letter_a en/num_1 en/hundred en/num_20 en/num_3 en/to_counter en/num_3]
}

func ExampleAnnouncer_WAV() {
	a, err := announce.New()
	if err != nil {
		log.Fatal(err)
	}
	// In an HTTP handler: answer 400 when errors.Is(err, announce.ErrInvalid).
	wav, err := a.WAV("Γ7", "12", []string{"el"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(wav[:4]), string(wav[8:12]), announce.ContentType)
	// Output: RIFF WAVE audio/wav
}
