// What the server checks in the URL (docs/protocol.md), checked before connecting so a person
// gets the reason at once. Each returns an error message, or '' when the value is fine.

const MAX_NAME_CODE_POINTS = 32;
const MAX_AGE = 150;
const MAX_ROOM_LENGTH = 64;
// C0 controls, DEL and C1 controls.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/u;
const ROOM_CHARS = /^[A-Za-z0-9._-]+$/;

export function nameProblem(name) {
  const length = [...name].length;
  if (length === 0) return 'Please enter a name.';
  if (length > MAX_NAME_CODE_POINTS) return `Names can be at most ${MAX_NAME_CODE_POINTS} characters.`;
  if (CONTROL_CHARS.test(name)) return 'Names cannot contain control characters.';
  return '';
}

/** An empty age is fine: it is optional. */
export function ageProblem(age) {
  if (age === '') return '';
  if (!/^\d+$/.test(age) || Number(age) > MAX_AGE) {
    return `Age must be a whole number from 0 to ${MAX_AGE}.`;
  }
  return '';
}

export function roomProblem(room) {
  if (room.length === 0) return 'Please enter a room name.';
  if (room.length > MAX_ROOM_LENGTH) return `Room names can be at most ${MAX_ROOM_LENGTH} characters.`;
  if (!ROOM_CHARS.test(room)) return "Room names may only use letters, digits, '-', '_' and '.'.";
  return '';
}
