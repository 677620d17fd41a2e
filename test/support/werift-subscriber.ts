/** An in-process werift peer subscribing to an SFU-side werift subscribe link (tests of its DTLS). */
import { RTCPeerConnection } from "werift";

/** Answers `sfu`'s offer (already set as its local description), trickling candidates both ways. */
export async function subscribeTo(sfu: RTCPeerConnection): Promise<RTCPeerConnection> {
  const subscriber = new RTCPeerConnection({ iceUseIpv6: false });
  subscriber.onIceCandidate.subscribe((c) => void (c && sfu.addIceCandidate(c.toJSON())));
  sfu.onIceCandidate.subscribe((c) => void (c && subscriber.addIceCandidate(c.toJSON())));
  await subscriber.setRemoteDescription({ type: "offer", sdp: sfu.localDescription!.sdp });
  await subscriber.setLocalDescription(await subscriber.createAnswer());
  await sfu.setRemoteDescription({ type: "answer", sdp: subscriber.localDescription!.sdp });
  return subscriber;
}
