import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "Todo",
  description: "Your tasks, signed in to the Todo API.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#f6f7f9" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request: its scripts carry this request's CSP nonce (see proxy.ts), which a
  // page prerendered at build time could not.
  await headers();
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
