variable "region" {
  description = "AWS region for everything in this stack."
  type        = string
  default     = "eu-west-1"
}

variable "project" {
  description = "Short project name, used as a prefix for resource names."
  type        = string
  default     = "duka"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "Use 2-21 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name, e.g. staging or production."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "Use 2-16 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "platform_domain" {
  description = "Root domain of the platform; businesses live at <slug>.<platform_domain>."
  type        = string
}

variable "route53_zone_name" {
  description = "Public hosted zone holding platform_domain, if it is not the zone apex itself."
  type        = string
  default     = null
}

# --- Network -------------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC; a /16 leaves room for pod IPs from the VPC CNI."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Number of availability zones to spread subnets over."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3 (RDS and EKS need at least two zones)."
  }
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per zone (survives a zone outage) instead of a single shared one."
  type        = bool
  default     = true
}

# --- PostgreSQL ---------------------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.m6g.large"
}

variable "db_allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 100
}

variable "db_max_allocated_storage" {
  description = "Ceiling in GiB for storage autoscaling."
  type        = number
  default     = 500
}

variable "db_multi_az" {
  description = "Keep a synchronous standby in a second zone."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database; turn off deliberately before a teardown."
  type        = bool
  default     = true
}

# --- Redis --------------------------------------------------------------------------------------

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.medium"
}

variable "redis_num_nodes" {
  description = "Primary plus replicas; 2 or more enables automatic failover across zones."
  type        = number
  default     = 2
}

variable "redis_auth_token" {
  description = "Optional Redis AUTH token (16-128 characters). Leave null to rely on network rules."
  type        = string
  default     = null
  sensitive   = true
}

# --- EKS ----------------------------------------------------------------------------------------

variable "kubernetes_version" {
  description = "EKS Kubernetes version; keep it within standard support."
  type        = string
  default     = "1.33"
}

variable "cluster_endpoint_public_cidrs" {
  description = "CIDRs allowed to reach the public Kubernetes API endpoint."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "node_instance_types" {
  description = "Instance types for the managed node group."
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_capacity_type" {
  description = "ON_DEMAND or SPOT."
  type        = string
  default     = "ON_DEMAND"
}

variable "node_min_size" {
  description = "Minimum number of nodes."
  type        = number
  default     = 2
}

variable "node_desired_size" {
  description = "Initial number of nodes (later left to the cluster autoscaler)."
  type        = number
  default     = 3
}

variable "node_max_size" {
  description = "Maximum number of nodes."
  type        = number
  default     = 6
}

variable "node_disk_size" {
  description = "Root volume size of each node in GiB."
  type        = number
  default     = 50
}

# --- Application identity -----------------------------------------------------------------------

variable "app_namespace" {
  description = "Kubernetes namespace the Helm release is installed in."
  type        = string
  default     = "duka"
}

variable "app_service_account" {
  description = "ServiceAccount the app's pods run as (the chart's serviceAccountName)."
  type        = string
  default     = "duka"
}
