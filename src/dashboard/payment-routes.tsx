import { Hono } from "hono";
import type { DashEnv } from "./context";

export const paymentRoutes = new Hono<DashEnv>();
