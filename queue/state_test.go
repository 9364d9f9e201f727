package queue

import (
	"errors"
	"testing"
)

func TestNextCoversTheWholeMachine(t *testing.T) {
	allowed := map[State]map[Action]State{
		StateWaiting: {ActCall: StateCalled, ActCancel: StateCancelled, ActExpire: StateExpired},
		StateCalled: {ActRecall: StateCalled, ActStart: StateServing, ActDone: StateDone,
			ActNoShow: StateNoShow, ActTransfer: StateWaiting},
		StateServing: {ActDone: StateDone, ActTransfer: StateWaiting},
	}
	states := []State{StateWaiting, StateCalled, StateServing, StateDone, StateNoShow, StateCancelled, StateExpired}
	actions := []Action{ActCall, ActRecall, ActStart, ActDone, ActNoShow, ActCancel, ActExpire, ActTransfer}
	for _, s := range states {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
		for _, a := range actions {
			got, err := Next(s, a)
			want, ok := allowed[s][a]
			if ok {
				if err != nil || got != want {
					t.Errorf("Next(%s, %s) = %s, %v; want %s", s, a, got, err, want)
				}
				continue
			}
			if !errors.Is(err, &Error{Code: CodeInvalidTransition}) {
				t.Errorf("Next(%s, %s) = %s, %v; want invalid_transition", s, a, got, err)
			}
		}
		if s.Final() != (len(allowed[s]) == 0) {
			t.Errorf("%s.Final() = %v", s, s.Final())
		}
	}
	if State("bogus").Valid() {
		t.Error("bogus state is valid")
	}
}

func TestErrorCode(t *testing.T) {
	err := Errorf(CodeNotFound, "no %s", "x")
	wrapped := errors.Join(errors.New("context"), err)
	if ErrorCode(wrapped) != CodeNotFound {
		t.Errorf("ErrorCode = %s", ErrorCode(wrapped))
	}
	if ErrorCode(errors.New("plain")) != CodeInternal || ErrorCode(nil) != "" {
		t.Error("ErrorCode of plain or nil errors is wrong")
	}
	if err.Error() != "not_found: no x" {
		t.Errorf("message %q", err.Error())
	}
}

func TestTicketStateAfterEachEvent(t *testing.T) {
	// Each ticket event against the action that causes it: the state an
	// event names is the state the machine leads to.
	tests := []struct {
		ev   EventType
		from State
		act  Action
	}{
		{EvCalled, StateWaiting, ActCall},
		{EvRecalled, StateCalled, ActRecall},
		{EvStarted, StateCalled, ActStart},
		{EvDone, StateServing, ActDone},
		{EvNoShow, StateCalled, ActNoShow},
		{EvTransferred, StateServing, ActTransfer},
		{EvCancelled, StateWaiting, ActCancel},
		{EvExpired, StateWaiting, ActExpire},
	}
	for _, tt := range tests {
		want, err := Next(tt.from, tt.act)
		if err != nil {
			t.Fatal(err)
		}
		if got := tt.ev.TicketState(); got != want {
			t.Errorf("%s.TicketState() = %q, want %q", tt.ev, got, want)
		}
	}
	if got := EvIssued.TicketState(); got != StateWaiting {
		t.Errorf("issued: %q", got)
	}
	for _, ev := range []EventType{EvCounterOpened, EvServiceUpdated, EvUserCreated, "bogus"} {
		if got := ev.TicketState(); got != "" {
			t.Errorf("%s.TicketState() = %q, want none", ev, got)
		}
	}
}
