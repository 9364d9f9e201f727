// Package printer prints queue tickets on network thermal printers that speak
// ESC/POS over raw TCP (port 9100, "JetDirect" style), as Epson TM and most
// compatible kiosk printers do.
//
// Printing is two steps, so that the slow, failing half (the network) is
// separate from the pure half (the bytes):
//
//	job, err := printer.Encode(cfg, ticket) // ESC/POS bytes, no I/O
//	err = printer.Client{}.Print(ctx, cfg.Addr, job)
//
// Text is sent in a single-byte code page the printer selects with ESC t:
// Windows-1253 (ESC t 47 on Epson) by default, or the older DOS Greek code
// page 737 (ESC t 14). The ticket's labels come translated from the caller;
// this package holds no user-facing text.
//
// Characters the code page lacks are printed as the nearest thing it has:
// accented letters lose the accent they cannot carry (ΐ → ϊ, é → e),
// typographic quotes and dashes become ASCII (« → ", – → -), and anything
// else becomes '?'. Control characters in caller text become spaces, so a
// label can never smuggle a printer command into the job.
package printer
