package engine

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/internal/storetest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

const crashChildEnv = "SEIRA_CRASH_CHILD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	os.Exit(m.Run())
}

// crashChild issues tickets from 8 goroutines until it is killed, printing
// one line per ticket after Issue has returned: what a client was told.
func crashChild(path string) {
	store, err := storetest.Open(path, storage.Options{OpenTimeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	base := mustTime("2026-11-27T08:00:00Z")
	start := time.Now()
	e := New(store, Options{Now: func() time.Time { return base.Add(time.Since(start)) }})
	var out sync.Mutex
	services := []string{"certificates", "signatures", "applications"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				info, err := e.Issue(context.Background(), demo.BranchID, IssueRequest{Service: services[(g+i)%3]})
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(3)
				}
				line := fmt.Sprintf("%d %s %s %s\n", info.Ticket.ID, info.Ticket.Service, info.Ticket.Number, info.Ticket.Token)
				out.Lock()
				os.Stdout.WriteString(line) // one write(2): a line is whole or absent
				out.Unlock()
			}
		})
	}
	// And a citizen booking appointments, in random slots of the month.
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
		for {
			slot := base.Truncate(15 * time.Minute).Add(time.Duration(4+rng.IntN(2800)) * 15 * time.Minute)
			info, err := e.Book(context.Background(), demo.BranchID, BookRequest{Service: "certificates", Start: slot})
			a := info.Appointment
			if queue.ErrorCode(err) == queue.CodeSlotFull || queue.ErrorCode(err) == queue.CodeNotBookable {
				continue
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			line := fmt.Sprintf("appt %s %s %d %s\n", a.Code, a.Token, a.Start.Unix(), a.Service)
			out.Lock()
			os.Stdout.WriteString(line)
			out.Unlock()
		}
	})
	// And a manager posting announcements and withdrawing each at once;
	// first the ones a kill left active (at most 10 may be).
	wg.Go(func() {
		ctx := context.Background()
		say := func(format string, args ...any) {
			line := fmt.Sprintf(format, args...)
			out.Lock()
			os.Stdout.WriteString(line)
			out.Unlock()
		}
		left, _, err := e.Announcements(ctx, demo.BranchID)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		for _, a := range left {
			if err := e.WithdrawAnnouncement(ctx, demo.BranchID, "crash", a.ID); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			say("notice-withdrawn %d\n", a.ID)
		}
		for {
			a, err := e.PostAnnouncement(ctx, demo.BranchID, "crash", AnnouncementRequest{Text: queue.Text{"en": "Crash test"}})
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			say("notice-posted %d\n", a.ID)
			if err := e.WithdrawAnnouncement(ctx, demo.BranchID, "crash", a.ID); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			say("notice-withdrawn %d\n", a.ID)
		}
	})
	wg.Wait()
}

// TestCrashSafety kills a process that is issuing tickets with SIGKILL at
// random moments, then proves from the file that every ticket it had
// acknowledged is there with its number, the file is consistent, and
// numbering continues without a duplicate.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; run without -short")
	}
	kills := 20
	if s := os.Getenv("SEIRA_CRASH_KILLS"); s != "" {
		kills, _ = strconv.Atoi(s)
	}
	f := newFixture(t) // creates the demo branch in the file
	path := f.path
	f.store.Close()

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	acked := map[uint64][3]string{} // id → service, number, token
	appts := map[string][2]string{} // appointment code → token, start (Unix s)
	notices := map[string]map[uint64]bool{"notice-posted": {}, "notice-withdrawn": {}}
	for round := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for the first acknowledgement, then kill at a random moment.
		first, ok := <-lines
		if !ok {
			cmd.Wait()
			t.Fatalf("round %d: child printed nothing: %s", round, stderr.String())
		}
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		n := 0
		for _, l := range append([]string{first}, drain(lines)...) {
			parts := strings.Fields(l)
			if len(parts) == 5 && parts[0] == "appt" {
				appts[parts[1]] = [2]string{parts[2], parts[3]}
				continue
			}
			if len(parts) == 2 && notices[parts[0]] != nil {
				id, _ := strconv.ParseUint(parts[1], 10, 64)
				notices[parts[0]][id] = true
				continue
			}
			if len(parts) != 4 {
				continue // the pipe can end mid-line only if the child wrote half; it does not
			}
			id, _ := strconv.ParseUint(parts[0], 10, 64)
			acked[id] = [3]string{parts[1], parts[2], parts[3]}
			n++
		}
		verifyAfterCrash(t, path, acked, round)
		verifyAppointmentsAfterCrash(t, path, appts, round)
		verifyNoticesAfterCrash(t, path, notices["notice-posted"], notices["notice-withdrawn"], round)
		t.Logf("round %d: %d tickets acknowledged before the kill, %d in all; %d appointments; %d announcements", round, n, len(acked), len(appts),
			len(notices["notice-posted"]))
	}
	if len(notices["notice-posted"]) == 0 || len(notices["notice-withdrawn"]) == 0 {
		t.Errorf("no announcement acknowledged as posted and withdrawn in %d rounds", kills)
	}
}

// verifyAppointmentsAfterCrash: every booking acknowledged is on file,
// found by its token, and every slot's count is its appointments'.
func verifyAppointmentsAfterCrash(t *testing.T, path string, acked map[string][2]string, round int) {
	t.Helper()
	store, err := storetest.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("round %d: reopen: %v", round, err)
	}
	defer store.Close()
	e := New(store, Options{})
	for code, want := range acked {
		info, err := e.AppointmentByToken(context.Background(), want[0])
		a := info.Appointment
		if err != nil || a.Code != code || strconv.FormatInt(a.Start.Unix(), 10) != want[1] {
			t.Errorf("round %d: acknowledged appointment %s: %+v %v", round, code, a, err)
		}
	}
	err = store.View(context.Background(), func(tx *storage.Tx) error {
		b, err := tx.Branch(demo.BranchID)
		if err != nil {
			return err
		}
		perSlot := map[int64]int{}
		from, to := time.Unix(0, 0), time.Unix(1<<40, 0)
		if err := b.ForEachAppointment(from, to, func(a queue.Appointment) (bool, error) {
			perSlot[a.Start.UnixNano()]++
			return true, nil
		}); err != nil {
			return err
		}
		for at, n := range b.SlotsTaken("certificates", from, to) {
			if perSlot[at] != n {
				t.Errorf("round %d: slot %v counts %d taken, holds %d", round, time.Unix(0, at), n, perSlot[at])
			}
			delete(perSlot, at)
		}
		if len(perSlot) > 0 {
			t.Errorf("round %d: appointments in slots that count none: %v", round, perSlot)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// verifyNoticesAfterCrash: every announcement acknowledged as posted has
// its event in the log, every one acknowledged as withdrawn is gone with
// its event; and store and log agree on every one, acknowledged or not
// (the record and its event are one transaction).
func verifyNoticesAfterCrash(t *testing.T, path string, posted, withdrawn map[uint64]bool, round int) {
	t.Helper()
	store, err := storetest.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("round %d: reopen: %v", round, err)
	}
	defer store.Close()
	e := New(store, Options{Now: func() time.Time { return mustTime("2026-11-27T08:00:00Z") }})
	inLog := map[queue.EventType]map[uint64]bool{queue.EvAnnouncementPosted: {}, queue.EvAnnouncementWithdrawn: {}}
	for after, more := uint64(0), true; more; {
		var evs []queue.Event
		if evs, more, err = e.EventsSince(context.Background(), demo.BranchID, after, 5000); err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if set := inLog[ev.Type]; set != nil {
				id, _ := strconv.ParseUint(ev.Subject, 10, 64)
				set[id] = true
			}
			after = ev.Seq
		}
	}
	stored := map[uint64]bool{}
	err = store.View(context.Background(), func(tx *storage.Tx) error {
		b, err := tx.Branch(demo.BranchID)
		if err != nil {
			return err
		}
		for id := range inLog[queue.EvAnnouncementPosted] {
			if _, err := b.Announcement(id); err == nil {
				stored[id] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id := range posted {
		if !inLog[queue.EvAnnouncementPosted][id] {
			t.Errorf("round %d: acknowledged announcement %d has no announcement.posted event", round, id)
		}
	}
	for id := range withdrawn {
		if !inLog[queue.EvAnnouncementWithdrawn][id] || stored[id] {
			t.Errorf("round %d: announcement %d acknowledged as withdrawn: event %v, still stored %v", round, id,
				inLog[queue.EvAnnouncementWithdrawn][id], stored[id])
		}
	}
	for id := range inLog[queue.EvAnnouncementPosted] {
		if want := !inLog[queue.EvAnnouncementWithdrawn][id]; stored[id] != want {
			t.Errorf("round %d: announcement %d stored %v, but its events say %v", round, id, stored[id], want)
		}
	}
}

func drain(ch <-chan string) []string {
	var out []string
	for l := range ch {
		out = append(out, l)
	}
	return out
}

func verifyAfterCrash(t *testing.T, path string, acked map[uint64][3]string, round int) {
	t.Helper()
	store, err := storetest.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("round %d: reopen: %v", round, err)
	}
	defer store.Close()
	if err := store.Check(); err != nil {
		t.Fatalf("round %d: bbolt check: %v", round, err)
	}
	maxSeq := map[string]int{}
	e := New(store, Options{})
	err = store.View(context.Background(), func(tx *storage.Tx) error {
		b, err := tx.Branch(demo.BranchID)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		err = b.ForEachTicket(0, func(tk queue.Ticket) (bool, error) {
			if seen[tk.Number] {
				t.Errorf("round %d: number %s twice", round, tk.Number)
			}
			seen[tk.Number] = true
			maxSeq[tk.Service] = max(maxSeq[tk.Service], tk.Seq)
			return true, nil
		})
		if err != nil {
			return err
		}
		for id, want := range acked {
			tk, err := b.Ticket(id)
			if err != nil {
				t.Errorf("round %d: acknowledged ticket %d (%s) is lost: %v", round, id, want[1], err)
				continue
			}
			if tk.Service != want[0] || tk.Number != want[1] || tk.Token != want[2] {
				t.Errorf("round %d: ticket %d is %s %s, was acknowledged as %s %s", round, id, tk.Service, tk.Number, want[0], want[1])
			}
			if _, byToken, err := e.ticketByToken(tx, tk.Token); err != nil || byToken.ID != id {
				t.Errorf("round %d: token of %s not indexed", round, tk.Number)
			}
		}
		for svc, n := range maxSeq {
			if pri, reg := b.WaitingCount(svc); pri+reg != n {
				t.Errorf("round %d: %s has %d waiting counted, %d tickets", round, svc, pri+reg, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Numbering continues after the highest number on file.
	base := mustTime("2026-11-27T08:00:00Z")
	e = New(store, Options{Now: func() time.Time { return base }})
	for svc, n := range maxSeq {
		info, err := e.Issue(context.Background(), demo.BranchID, IssueRequest{Service: svc})
		if err != nil {
			t.Fatal(err)
		}
		if info.Ticket.Seq != n+1 {
			t.Errorf("round %d: %s continued at %s after %d", round, svc, info.Ticket.Number, n)
		}
		acked[info.Ticket.ID] = [3]string{svc, info.Ticket.Number, info.Ticket.Token}
	}
}
