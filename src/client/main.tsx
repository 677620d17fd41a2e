import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "./state/theme"; // applies the theme class before the first render
import { followSession } from "./state/chatConnection";
import { startSessionKeeper, useSession } from "./state/session";
import { App } from "./ui/App";

const root = document.getElementById("root");
if (!root) throw new Error("#root missing from index.html");

startSessionKeeper();
followSession();
void useSession.getState().bootstrap();

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
