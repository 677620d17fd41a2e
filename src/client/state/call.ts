/**
 * The call model's public face: the store, server-event and hello handlers, and user actions.
 * (callStore.ts holds the data, callEvents.ts the server side, callActions.ts the user side.)
 */
export { useCall, inCall, callBusy, type CallPhase, type CallState, type EndReason } from "./callStore";
export { handleCallEvent, handleHello } from "./callEvents";
export { acceptCall, callSocket, cancelCall, declineCall, dismissEnded, hangUp, startCall } from "./callActions";
