package display_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/view"
)

// ticketReader reads a ticket channel's messages with a deadline.
type ticketReader struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialTicket(t *testing.T, env *apptest.Env, token string) ticketReader {
	t.Helper()
	ws, err := env.Dial("/api/v1/tickets/"+token+"/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ticketReader{t: t, ws: ws}
}

func (r ticketReader) next() view.TicketLive {
	r.t.Helper()
	r.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m view.TicketLive
	if err := r.ws.ReadJSON(&m); err != nil {
		r.t.Fatalf("read: %v", err)
	}
	return m
}

// until reads a ticket channel up to a message of type typ (at most 10).
func (r ticketReader) until(typ string) view.TicketLive {
	r.t.Helper()
	for range 10 {
		if m := r.next(); m.Type == typ {
			return m
		}
	}
	r.t.Fatalf("no %s in 10 messages", typ)
	return view.TicketLive{}
}

// until reads a branch channel up to a message of type typ (at most 10).
func (r reader) until(typ string) liveMsg {
	r.t.Helper()
	for range 10 {
		if m, _ := r.next(); m.Type == typ {
			return m
		}
	}
	r.t.Fatalf("no %s in 10 messages", typ)
	return liveMsg{}
}

// TestAnnouncementReachesEveryone: a manager's announcement comes at once
// on the branch channel and on the channel of every followed ticket, with
// its text; (re)connecting clients find it in their snapshots; a client
// resuming by seq after it gets the events it missed; the withdrawal
// reaches them all the same way.
func TestAnnouncementReachesEveryone(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	mgr := env.User("live.mgr", auth.RoleManager, "demo")
	waiting := issue(t, admin, "certificates")
	other := issue(t, admin, "signatures")
	branch := dial(t, env, "/api/v1/branches/demo/live")
	if m, _ := branch.next(); m.Type != "snapshot" || m.State.Announcements == nil || len(m.State.Announcements) != 0 {
		t.Fatalf("first snapshot: %+v", m.State)
	}
	phones := []ticketReader{dialTicket(t, env, waiting.Token), dialTicket(t, env, other.Token)}
	for _, p := range phones {
		if m := p.next(); m.Type != "snapshot" || len(m.Announcements) != 0 {
			t.Fatalf("ticket snapshot: %+v", m)
		}
	}

	text := map[string]string{"el": "Το σύστημα της εφορίας δεν λειτουργεί", "en": "The tax system is down"}
	var a struct {
		ID        uint64    `json:"id"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if st := mgr.Call("POST", "/api/v1/branches/demo/announcements", map[string]any{"text": text, "minutes": 20}, &a); st != 201 {
		t.Fatalf("post: %d", st)
	}
	posted := branch.until("announcement.posted")
	if an := posted.Announcement; an == nil || an.ID != a.ID || an.Text["el"] != text["el"] || an.Text["en"] != text["en"] ||
		!an.ExpiresAt.Equal(a.ExpiresAt) || an.By != "" {
		t.Fatalf("on the branch channel: %+v", posted.LiveEvent)
	}
	for i, p := range phones {
		m := p.until("announcement.posted")
		if an := m.Announcement; an == nil || an.ID != a.ID || an.Text["en"] != text["en"] || !an.ExpiresAt.Equal(a.ExpiresAt) || an.By != "" {
			t.Fatalf("phone %d: %+v", i, m)
		}
		if m.Seq != posted.Seq {
			t.Errorf("phone %d: seq %d, the branch's %d", i, m.Seq, posted.Seq)
		}
	}

	// Connecting now: the snapshots carry it.
	if m, _ := dial(t, env, "/api/v1/branches/demo/live").next(); m.Type != "snapshot" || len(m.State.Announcements) != 1 ||
		m.State.Announcements[0].Text["el"] != text["el"] || m.State.Announcements[0].By != "" {
		t.Fatalf("branch snapshot after posting: %+v", m.State)
	}
	if m := dialTicket(t, env, waiting.Token).next(); m.Type != "snapshot" || len(m.Announcements) != 1 || m.Announcements[0].ID != a.ID {
		t.Fatalf("ticket snapshot after posting: %+v", m)
	}

	// A display that saw the posting and went away resumes by seq.
	branch.ws.Close()
	if st := mgr.Call("DELETE", "/api/v1/branches/demo/announcements/"+strconv.FormatUint(a.ID, 10), nil, nil); st != 204 {
		t.Fatalf("withdraw: %d", st)
	}
	resumed := dial(t, env, "/api/v1/branches/demo/live?since="+itoa(posted.Seq))
	if m, _ := resumed.next(); m.Type != "announcement.withdrawn" || m.Seq != posted.Seq+1 || m.Announcement == nil || m.Announcement.ID != a.ID {
		t.Fatalf("resumed: %+v", m.LiveEvent)
	}
	if m, _ := resumed.next(); m.Type != "snapshot" || len(m.State.Announcements) != 0 {
		t.Fatalf("resumed, the state: %+v", m.State)
	}
	// One that missed the posting too gets it replayed, text and all.
	earlier := dial(t, env, "/api/v1/branches/demo/live?since="+itoa(posted.Seq-1))
	if m, raw := earlier.next(); m.Type != "announcement.posted" || m.Announcement == nil || !strings.Contains(string(raw), text["en"]) ||
		strings.Contains(string(raw), "live.mgr") {
		t.Fatalf("replayed posting: %s", raw)
	}
	for i, p := range phones {
		if m := p.until("announcement.withdrawn"); m.Announcement == nil || m.Announcement.ID != a.ID {
			t.Fatalf("phone %d, withdrawal: %+v", i, m)
		}
	}
}
