/** Page titles by path, for the document title and the mobile top bar. */
export const PAGE_TITLES: Record<string, string> = {
  "/login": "Log in",
  "/register": "Create account",
  "/": "Home",
  "/friends": "Friends",
  "/messages": "Messages",
  "/spaces": "Spaces",
  "/meetings": "Meetings",
  "/settings/sessions": "Sessions",
  "/settings/security": "Security",
};
