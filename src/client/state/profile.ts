/** The signed-in user's avatar: uploaded (the body is the image) or removed. */
import type { Me } from "../../shared/protocol";
import { api } from "../api";
import { useSession } from "./session";

export async function setAvatar(file: Blob | null): Promise<Me> {
  const path = "/api/users/me/avatar";
  const { user } = file ? await api.put<{ user: Me }>(path, file) : await api.del<{ user: Me }>(path);
  useSession.setState({ user });
  return user;
}
