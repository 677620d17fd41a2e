/**
 * The call model's public face: the store, server-event and hello handlers, and user actions.
 * (callStore.ts holds the data, callController.ts the engine, callEvents.ts the server side,
 * callActions.ts the user side.)
 */
export { useCall, inCall, callBusy, type CallPhase, type CallState, type EndReason } from "./callStore";
export { handleCallEvent, handleHello, isCallEvent } from "./callEvents";
export { acceptCall, cancelCall, declineCall, dismissEnded, hangUp, react, setHand, startCall } from "./callActions";
export { callSocket, currentCall } from "./callController";
