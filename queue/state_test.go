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
