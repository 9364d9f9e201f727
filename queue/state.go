package queue

// State is where a ticket is in its life.
type State string

// Ticket states. Transferred is not a resting state: a transfer returns the
// ticket to waiting in another service.
const (
	StateWaiting   State = "waiting"
	StateCalled    State = "called"
	StateServing   State = "serving"
	StateDone      State = "done"
	StateNoShow    State = "no_show"
	StateCancelled State = "cancelled"
	StateExpired   State = "expired"
)

// Action is something that happens to a ticket.
type Action string

// Ticket actions.
const (
	ActCall     Action = "call"
	ActRecall   Action = "recall"
	ActStart    Action = "start"
	ActDone     Action = "done"
	ActNoShow   Action = "no_show"
	ActCancel   Action = "cancel"
	ActExpire   Action = "expire"
	ActTransfer Action = "transfer"
)

// Next returns the state that action a leads to from s, or an
// invalid_transition error. This switch is the whole state machine.
func Next(s State, a Action) (State, error) {
	switch {
	case s == StateWaiting && a == ActCall:
		return StateCalled, nil
	case s == StateWaiting && a == ActCancel:
		return StateCancelled, nil
	case s == StateWaiting && a == ActExpire:
		return StateExpired, nil
	case s == StateCalled && a == ActRecall:
		return StateCalled, nil
	case s == StateCalled && a == ActStart:
		return StateServing, nil
	case s == StateCalled && a == ActNoShow:
		return StateNoShow, nil
	case (s == StateCalled || s == StateServing) && a == ActDone:
		return StateDone, nil
	case (s == StateCalled || s == StateServing) && a == ActTransfer:
		return StateWaiting, nil
	}
	return "", Errorf(CodeInvalidTransition, "cannot %s a ticket that is %s", a, s)
}

// Final reports whether no action leads out of s.
func (s State) Final() bool {
	return s == StateDone || s == StateNoShow || s == StateCancelled || s == StateExpired
}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	switch s {
	case StateWaiting, StateCalled, StateServing, StateDone, StateNoShow, StateCancelled, StateExpired:
		return true
	}
	return false
}
