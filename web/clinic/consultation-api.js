// One consultation's REST calls, for the consultation page. POSTs always carry a JSON body
// (`{}` when there is nothing to say): the API refuses others with 415. Sending an
// invitation that fails on the network is retried once with the attempt number the first
// request meant, so the server sends it at most once even if the first request did arrive.
import { ApiError } from "/shared/api.js";
import { deliveryOf } from "/clinic/deliveries.js";

const RETRY_DELAY_MS = 1000;

export class ConsultationApi {
  constructor(session, consultationId) {
    this.session = session;
    this.path = `/api/consultations/${encodeURIComponent(consultationId)}`;
  }

  read() {
    return this.session.call("GET", this.path);
  }

  reschedule(changes) {
    return this.session.call("PATCH", this.path, changes);
  }

  cancel() {
    return this.session.call("POST", `${this.path}/cancel`, {});
  }

  addGuest(details) {
    return this.session.call("POST", `${this.path}/participants`, details);
  }

  changeParticipant(participantId, changes) {
    return this.session.call("PATCH", this.participant(participantId), changes);
  }

  removeGuest(participantId) {
    return this.session.call("DELETE", this.participant(participantId));
  }

  newLink(participantId) {
    return this.session.call("POST", `${this.participant(participantId)}/links`, {});
  }

  async invite(participant, channel, { resend }) {
    const path = `${this.participant(participant.participant_id)}/invitations`;
    const body = resend ? { channel, resend: true } : { channel };
    try {
      return await this.session.call("POST", path, body);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const last = deliveryOf(participant, channel);
      const attempt = resend && last ? last.attempt + 1 : 1;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      return this.session.call("POST", path, { ...body, attempt });
    }
  }

  participant(participantId) {
    return `${this.path}/participants/${encodeURIComponent(participantId)}`;
  }
}
