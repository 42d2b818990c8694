package backend

import "github.com/tafel-schule/tafel/rooms"

// Rooms is the teacher's rooms file (app.Rooms).
type Rooms struct{ b *Backend }

// List returns all rooms, sorted by name, as the file is now (another
// Tafel process may have changed it).
func (r *Rooms) List() []rooms.Room {
	_ = r.b.store.Reload() // on failure the rooms in memory stay
	return r.b.store.List()
}

// Get returns the room called name (case-insensitive).
func (r *Rooms) Get(name string) (rooms.Room, error) { return r.b.room(name) }

// Add creates a room with a fresh meeting ID and preset ("" the default).
func (r *Rooms) Add(name, preset string) (rooms.Room, error) {
	room, err := rooms.NewRoom(name, preset)
	if err != nil {
		return rooms.Room{}, err
	}
	// A preset the school's policy does not allow is refused here, not at
	// the first lesson.
	if _, err := room.Settings(r.b.policy()); err != nil {
		return rooms.Room{}, err
	}
	if err := r.b.store.Add(room); err != nil {
		return rooms.Room{}, err
	}
	return r.b.store.Get(room.Name)
}

// Update applies f to the room and saves it; if f fails or the result is
// invalid, nothing changes.
func (r *Rooms) Update(name string, f func(r *rooms.Room) error) (rooms.Room, error) {
	return r.b.store.Update(name, f)
}

// Remove deletes the room. A running lesson is not ended.
func (r *Rooms) Remove(name string) error {
	_, err := r.b.store.Remove(name)
	return err
}

// Policy is what school IT fixed (locked settings).
func (r *Rooms) Policy() rooms.Policy { return r.b.policy() }
