import { redirect } from "next/navigation";
import { readSession } from "@/lib/server-session";

export default async function Home() {
  redirect((await readSession()) ? "/tasks" : "/sign-in");
}
