// Who is in the call: each member's name, role and what they send, from the server's
// `call.state` reply (`{consultation_id, members: [{kind, id, display_name, role, audio,
// video, paused}]}`), read when the call view starts and again whenever the media roster
// shows someone it does not know yet (a guest admitted, a colleague joining).
import { mediaMemberId } from "/shared/call/media-ids.js";

export class CallMembers {
  /**
   * @param {import("/shared/realtime.js").RealtimeChannel} channel
   * @param {(key: string) => string} words for role names (`page.chat.role.*`)
   * @param {object} [scope] `{consultation_id}` for a clinician's connection
   */
  constructor(channel, words, scope = {}) {
    this.channel = channel;
    this.words = words;
    this.scope = scope;
    this.known = new Map(); // media member id -> member
    this.loading = null;
    this.onChange = () => {};
  }

  async load() {
    if (!this.loading) {
      this.loading = this.channel
        .request("call.state", this.scope)
        .then((state) => {
          for (const member of state.members || []) this.known.set(mediaMemberId(member), member);
          this.onChange();
        })
        .finally(() => (this.loading = null));
    }
    return this.loading;
  }

  /** "Dr Demo · Clinician"; asks the server once more for a member it does not know. */
  nameOf(memberId) {
    const member = this.known.get(memberId);
    if (!member) {
      this.load().catch(() => {});
      return "";
    }
    const role = this.words(`page.chat.role.${member.role || member.kind}`);
    return member.display_name ? `${member.display_name} · ${role}` : role;
  }

  /** What the member sends, as last known: `{audio, video, paused}` or null. */
  mediaOf(memberId) {
    const member = this.known.get(memberId);
    return member && "audio" in member ? { audio: member.audio, video: member.video, paused: member.paused } : null;
  }
}
