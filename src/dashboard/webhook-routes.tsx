import { Hono } from "hono";
import type { DashEnv } from "./context";

export const webhookRoutes = new Hono<DashEnv>();
