// app/auth/renew/route.ts — a Route Handler may write cookies: it renews, then sends the user back
import { type NextRequest, NextResponse } from "next/server";
import { todoForAction } from "@/lib/todo-server";

export async function GET(request: NextRequest) {
  const todo = await todoForAction();
  const outcome = await todo.refresh(); // "renewed" | "signed-out" | "unavailable"
  const next = request.nextUrl.searchParams.get("next") ?? "/";
  return NextResponse.redirect(new URL(outcome === "renewed" ? next : "/login", request.url));
}
