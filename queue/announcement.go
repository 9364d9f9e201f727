package queue

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Announcement is a message a manager sends to every waiting citizen of a
// branch at once ("the tax system is down, expect 20 minutes more"): their
// phones' ticket pages and the wall displays show it until it expires or
// is withdrawn.
type Announcement struct {
	ID        uint64    `json:"id"`
	Text      Text      `json:"text"`
	To        string    `json:"to"`
	At        time.Time `json:"at"`
	ExpiresAt time.Time `json:"expires_at"`
	// By is who posted it; pages never see it.
	By string `json:"by,omitempty"`
}

// AudienceWaiting is the audience of an announcement to everyone waiting:
// the only one there is so far.
const AudienceWaiting = "waiting"

// Announcements' bounds.
const (
	// AnnouncementMaxChars is the longest text in one language, in
	// characters: a phone shows it whole and a display in one line.
	AnnouncementMaxChars = 280
	// AnnouncementDefault is how long an announcement lasts when the
	// request does not say; AnnouncementMax the longest it may.
	AnnouncementDefault = time.Hour
	AnnouncementMax     = 24 * time.Hour
	// AnnouncementsActive is how many may be active at once in a branch.
	AnnouncementsActive = 10
)

// Announcement events.
const (
	EvAnnouncementPosted    EventType = "announcement.posted"
	EvAnnouncementWithdrawn EventType = "announcement.withdrawn"
)

// Announcement reports whether t is an announcement's event.
func (t EventType) Announcement() bool { return strings.HasPrefix(string(t), "announcement.") }

// CodeInvalidAnnouncement is a refused announcement (422): no text, too
// long, an audience other than waiting, an expiry in the past or too far.
const CodeInvalidAnnouncement Code = "invalid_announcement"

// ActiveAt reports whether the announcement is still shown at now.
func (a Announcement) ActiveAt(now time.Time) bool { return now.Before(a.ExpiresAt) }

// CheckAnnouncementText checks an announcement's text: Greek or English
// or both, each one line of at most AnnouncementMaxChars characters. It
// returns the text trimmed, without empty languages.
func CheckAnnouncementText(t Text) (Text, error) {
	out := Text{}
	for lang, s := range t {
		if lang != "el" && lang != "en" {
			return nil, Errorf(CodeInvalidAnnouncement, "text in %q: write Greek (el), English (en) or both", lang)
		}
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !utf8.ValidString(s) {
			return nil, Errorf(CodeInvalidAnnouncement, "the %s text is not valid UTF-8", lang)
		}
		if n := utf8.RuneCountInString(s); n > AnnouncementMaxChars {
			return nil, Errorf(CodeInvalidAnnouncement, "the %s text has %d characters: at most %d", lang, n, AnnouncementMaxChars)
		}
		for _, r := range s {
			if unicode.IsControl(r) {
				return nil, Errorf(CodeInvalidAnnouncement, "the %s text must be one line, without control characters", lang)
			}
		}
		out[lang] = s
	}
	if len(out) == 0 {
		return nil, Errorf(CodeInvalidAnnouncement, "write the text in Greek (el), English (en) or both")
	}
	return out, nil
}

// AnnouncementExpiry decides when an announcement posted at now expires:
// at expiresAt if given, else after minutes if given, else after
// AnnouncementDefault; never in the past, never past AnnouncementMax.
func AnnouncementExpiry(now time.Time, expiresAt *time.Time, minutes *int) (time.Time, error) {
	var at time.Time
	switch {
	case expiresAt != nil && minutes != nil:
		return at, Errorf(CodeInvalidAnnouncement, "give expires_at or minutes, not both")
	case expiresAt != nil:
		at = *expiresAt
	case minutes != nil:
		if *minutes <= 0 || *minutes > int(AnnouncementMax/time.Minute) {
			return at, Errorf(CodeInvalidAnnouncement, "minutes must be 1 to %d", int(AnnouncementMax/time.Minute))
		}
		at = now.Add(time.Duration(*minutes) * time.Minute)
	default:
		at = now.Add(AnnouncementDefault)
	}
	if !at.After(now) {
		return at, Errorf(CodeInvalidAnnouncement, "expires_at %s is not in the future", at.Format(time.RFC3339))
	}
	if at.Sub(now) > AnnouncementMax {
		return at, Errorf(CodeInvalidAnnouncement, "an announcement lasts at most %s", AnnouncementMax)
	}
	return at, nil
}
