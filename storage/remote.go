package storage

import "encoding/binary"

// RemoteTaken is how many remote tickets service has issued on day.
func (b *BranchTx) RemoteTaken(day, service string) int {
	if v := b.bucket(bktRemote).Get([]byte(day + "/" + service)); len(v) == 4 {
		return int(binary.BigEndian.Uint32(v))
	}
	return 0
}

// TakeRemote counts one more remote ticket of service on day and returns
// the new count. It is written in the transaction that issues the ticket,
// so two citizens never both take the last place.
func (b *BranchTx) TakeRemote(day, service string) (int, error) {
	n := b.RemoteTaken(day, service) + 1
	v := binary.BigEndian.AppendUint32(nil, uint32(n))
	return n, wrap("count a remote ticket", b.bucket(bktRemote).Put([]byte(day+"/"+service), v))
}

// PruneRemote drops the remote counts of days before day.
func (b *BranchTx) PruneRemote(day string) error {
	return deleteBefore(b.bucket(bktRemote), []byte(day))
}
