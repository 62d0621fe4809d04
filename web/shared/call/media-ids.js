// A call member's id in the media room (the worker's roster), from `{kind, id}`: a
// participant's own id; a clinician's prefixed, so it never meets a participant's.

export function mediaMemberId(member) {
  if (member.member_id) return member.member_id; // as the server names it (`call.state`)
  return member.kind === "clinician" ? `clinician-${member.id}` : member.id;
}
